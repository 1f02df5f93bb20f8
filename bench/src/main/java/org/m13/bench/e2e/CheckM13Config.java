package org.m13.bench.e2e;

import java.nio.file.Path;
import org.m13.config.ConfigException;
import org.m13.config.HubConfig;
import org.m13.config.NodeConfig;

/**
 * {@code CheckM13Config HUB_YAML NODE_YAML}: loads the two files the M13 driver
 * (bench/e2e/drivers/m13.sh) writes, exactly as the daemons will, and prints what
 * they conclude to; exit 1 with the file, line and key of the first problem.
 */
public final class CheckM13Config {
    private CheckM13Config() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: CheckM13Config HUB_YAML NODE_YAML");
            System.exit(2);
        }
        try (HubConfig.Hub hub = HubConfig.load(Path.of(args[0]));
                NodeConfig.Node node = NodeConfig.load(Path.of(args[1]))) {
            System.out.println("hub: " + hub.uplink() + " udp port " + hub.port() + ", " + hub.tunnelName() + " "
                    + hub.tunnelAddress() + " mtu " + hub.tunnelMtu() + ", " + hub.rateMbit() + " Mbit/s, topology "
                    + hub.topology());
            System.out.println("node: hub " + node.hubAddress().getHostAddress() + ":" + node.hubPort() + ", "
                    + node.tunnelName() + " mtu " + node.tunnelMtu() + ", " + node.rateMbit() + " Mbit/s, topology "
                    + node.topology());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
