package org.m13.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.m13.sys.NetnsTestKit;

/**
 * The real shell inside one network namespace: commands through {@code ip netns exec},
 * sysctls read and written by {@link SystemShell} on a thread that entered the
 * namespace (its /proc/sys/net is the namespace's).
 */
final class NetnsShell implements HostShell {
    private final String namespace;
    private final ExecutorService inNamespace;

    NetnsShell(String namespace, ExecutorService inNamespace) {
        this.namespace = namespace;
        this.inNamespace = inNamespace;
    }

    @Override
    public Result run(List<String> argv) throws HostSetupException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        command.addAll(argv);
        return SystemShell.INSTANCE.run(command);
    }

    @Override
    public Optional<String> readSysctl(String key) throws HostSetupException {
        return call(() -> SystemShell.INSTANCE.readSysctl(key));
    }

    @Override
    public void writeSysctl(String key, String value) throws HostSetupException {
        var unused = call(() -> {
            SystemShell.INSTANCE.writeSysctl(key, value);
            return null;
        });
    }

    /** Runs a command in the namespace, failing unless it exits 0; its stdout. */
    String check(String... argv) throws HostSetupException {
        Result r = run(List.of(argv));
        if (!r.ok()) {
            throw HostSetupException.failed(List.of(argv), r);
        }
        return r.stdout();
    }

    private <T> T call(java.util.concurrent.Callable<T> task) throws HostSetupException {
        try {
            return NetnsTestKit.await(inNamespace.submit(task));
        } catch (HostSetupException e) {
            throw e;
        } catch (Exception e) {
            throw new HostSetupException("in namespace " + namespace + ": " + e, e);
        }
    }
}
