package org.m13.node;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.m13.config.ConfigException;
import org.m13.config.Ipv4Cidr;
import org.m13.config.NodeConfig;
import org.m13.daemon.Daemons;
import org.m13.host.HostJournal;
import org.m13.host.HostSetup;
import org.m13.host.HostSetupException;
import org.m13.host.NodeHost;
import org.m13.host.NodeHostPlan;
import org.m13.handshake.RekeyPolicy;
import org.m13.topology.TopologyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code m13 node --config node.yaml}: runs the node until SIGTERM or SIGINT, then
 * sends FIN, stops, and undoes every change it made to the host. A host set-up left by
 * a crashed run is undone before anything else.
 */
@Command(name = "m13 node", mixinStandardHelpOptions = true, description = "Run the M13 node daemon.")
public final class NodeMain implements Callable<Integer> {
    private static final Logger LOG = LogManager.getLogger(NodeMain.class);

    @Option(names = "--config", required = true, description = "node.yaml")
    Path config;

    @Option(names = "--state-dir", description = "where the host set-up journal lives (default ${DEFAULT-VALUE})")
    Path stateDir = HostJournal.DEFAULT_DIRECTORY;

    @Option(names = "--topology", description = "topology file (default: the config's, else config/topology/compact.yaml)")
    Path topology;

    @Option(names = "--stats-seconds", description = "log a line of counters this often (default ${DEFAULT-VALUE})")
    int statsSeconds = 60;

    @Option(names = "--telemetry", description = "counters for `m13 monitor --file` (default ${DEFAULT-VALUE})")
    Path telemetry = Path.of("/dev/shm/m13-node");

    @Option(names = "--rekey-seconds", description = "new session keys this often (default ${DEFAULT-VALUE}: 1 hour)")
    long rekeySeconds = 3600;

    public static void main(String[] args) {
        System.exit(new CommandLine(new NodeMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        NodeConfig.Node node;
        try {
            node = NodeConfig.load(config);
        } catch (ConfigException e) {
            System.err.println("m13 node: " + e.getMessage());
            return 2;
        }
        Path topologyFile = topology != null ? topology
                : node.topology() != null ? node.topology() : defaultTopology();
        HostSetup host;
        try {
            host = HostSetup.open(stateDir, "node");
        } catch (HostSetupException e) {
            System.err.println("m13 node: " + e.getMessage());
            node.close();
            return 3;
        }
        HostTunnel tunnel = new HostTunnel(host, node);
        NodeDaemon daemon;
        try {
            daemon = NodeDaemon.start(node, topologyFile, tunnel, rekeyPolicy(rekeySeconds), telemetry);
        } catch (ConfigException | TopologyException | RuntimeException e) {
            System.err.println("m13 node: " + e.getMessage());
            host.close();
            node.close();
            return 2;
        }
        Daemons.runUntilSignal(LOG::info, daemon::statsLine, statsSeconds, LogManager::shutdown, daemon, host, node);
        return 0;
    }

    /** The default limits with the rekey interval given; a key is refused 1/6 of the interval after it. */
    static RekeyPolicy rekeyPolicy(long seconds) {
        RekeyPolicy d = RekeyPolicy.defaults();
        long nanos = Math.max(1, seconds) * 1_000_000_000L;
        return new RekeyPolicy(nanos, d.rekeyAfterPackets(), nanos + nanos / 6 + 10_000_000_000L,
                d.rejectAfterPackets(), d.graceNanos());
    }

    static Path defaultTopology() {
        String home = System.getProperty("m13.home", ".");
        return Path.of(home, "config", "topology", "compact.yaml");
    }

    /** Applies the node's host set-up once the hub assigned the address (again if it changes). */
    static final class HostTunnel implements NodeControl.Tunnel {
        private final HostSetup host;
        private final NodeConfig.Node node;
        private boolean applied;

        HostTunnel(HostSetup host, NodeConfig.Node node) {
            this.host = host;
            this.node = node;
        }

        @Override
        public synchronized void up(int ip, int prefix, int mtu) {
            try {
                if (applied) {
                    host.close(); // a new address: undo the old set-up first
                }
                byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
                Ipv4Cidr assigned = new Ipv4Cidr((java.net.Inet4Address) InetAddress.getByAddress(b), prefix);
                NodeHost.apply(host, NodeHostPlan.of(node, assigned));
                applied = true;
            } catch (HostSetupException | UnknownHostException e) {
                LOG.error("host set-up failed: {}", e.getMessage());
            }
        }
    }
}
