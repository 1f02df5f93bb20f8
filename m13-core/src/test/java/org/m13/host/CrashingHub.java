package org.m13.host;

import java.nio.file.Path;
import org.m13.config.Ipv4Cidr;

/**
 * A hub set-up that never ends on its own: {@link HostSetupRootTest} starts it inside a
 * namespace ({@code ip netns exec <ns> java ... CrashingHub <journal dir> <tun> <uplink>}),
 * waits for "applied", and kills it with SIGKILL, so that it leaves its journal and
 * changes behind as a crash would.
 */
final class CrashingHub {
    private CrashingHub() {
    }

    public static void main(String[] args) throws Exception {
        HostSetup setup = HostSetup.open(Path.of(args[0]), "hub");
        HubHost.apply(setup, new HubHostPlan(args[1], new Ipv4Cidr(HostSetupTest.ipv4("10.13.0.1"), 24), 1400,
                args[2], HubHostPlan.DEFAULT_SOCKET_BUFFER_BYTES));
        System.out.println("applied " + setup.steps().size());
        System.out.flush();
        Thread.sleep(120_000); // killed long before
        System.exit(3);
    }
}
