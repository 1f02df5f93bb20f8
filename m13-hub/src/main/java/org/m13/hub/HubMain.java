package org.m13.hub;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.m13.config.ConfigException;
import org.m13.config.HubConfig;
import org.m13.daemon.Daemons;
import org.m13.host.HostJournal;
import org.m13.host.HostSetup;
import org.m13.host.HostSetupException;
import org.m13.host.HubHost;
import org.m13.host.HubHostPlan;
import org.m13.topology.TopologyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code m13 hub --config hub.yaml}: sets the host up (TUN address, forwarding, NAT out
 * of the uplink), runs the hub until SIGTERM or SIGINT, then sends FIN to every node,
 * stops, and undoes every change it made. A set-up left by a crashed run is undone first.
 */
@Command(name = "m13 hub", mixinStandardHelpOptions = true, description = "Run the M13 hub daemon.")
public final class HubMain implements Callable<Integer> {
    private static final Logger LOG = LogManager.getLogger(HubMain.class);

    @Option(names = "--config", required = true, description = "hub.yaml")
    Path config;

    @Option(names = "--state-dir", description = "where the host set-up journal lives (default ${DEFAULT-VALUE})")
    Path stateDir = HostJournal.DEFAULT_DIRECTORY;

    @Option(names = "--topology", description = "topology file (default: the config's, else config/topology/compact.yaml)")
    Path topology;

    @Option(names = "--stats-seconds", description = "log a line of counters this often (default ${DEFAULT-VALUE})")
    int statsSeconds = 60;

    @Option(names = "--telemetry", description = "counters for `m13 monitor --file` (default ${DEFAULT-VALUE})")
    Path telemetry = Path.of("/dev/shm/m13-hub");

    public static void main(String[] args) {
        System.exit(new CommandLine(new HubMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        HubConfig.Hub hub;
        try {
            hub = HubConfig.load(config);
        } catch (ConfigException e) {
            System.err.println("m13 hub: " + e.getMessage());
            return 2;
        }
        Path topologyFile = topology != null ? topology
                : hub.topology() != null ? hub.topology()
                        : Path.of(System.getProperty("m13.home", "."), "config", "topology", "compact.yaml");
        HostSetup host;
        try {
            host = HostSetup.open(stateDir, "hub");
        } catch (HostSetupException e) {
            System.err.println("m13 hub: " + e.getMessage());
            hub.close();
            return 3;
        }
        HubDaemon daemon = null;
        try {
            daemon = HubDaemon.start(hub, topologyFile, telemetry);
            HubHost.apply(host, HubHostPlan.of(hub));
        } catch (ConfigException | TopologyException | HostSetupException | RuntimeException e) {
            System.err.println("m13 hub: " + e.getMessage());
            if (daemon != null) {
                daemon.close(); // the host set-up failed after the daemon started
            }
            host.close();
            hub.close();
            return 2;
        }
        Daemons.runUntilSignal(LOG::info, daemon::statsLine, statsSeconds, LogManager::shutdown, daemon, host, hub);
        return 0;
    }
}
