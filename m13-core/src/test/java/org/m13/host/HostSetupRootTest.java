package org.m13.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.m13.config.NodeConfig.Ipv6;
import org.m13.sys.NetnsTestKit;
import org.m13.sys.Tun;

/**
 * Host set-up for real, in network namespaces the test creates (root only): the hub
 * with a veth uplink, the node with a veth to a gateway namespace; the TUN devices are
 * opened inside the namespace. After close, and after recovery from a crash, every
 * address, route, rule and sysctl is as it was before.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HostSetupRootTest {
    private static final String FORWARD = "net.ipv4.ip_forward";

    @TempDir
    Path dir;

    private NetnsTestKit net;
    private String ns;
    private ExecutorService inNs;
    private NetnsShell shell;
    private String uplink;

    @BeforeEach
    void namespaces() throws Exception {
        NetnsTestKit.assumeRootAndNative();
        net = new NetnsTestKit();
        ns = net.namespace("host");
        String wan = net.namespace("wan");
        uplink = net.link("u");
        net.veth(uplink, ns, net.link("g"), wan);
        NetnsTestKit.ip("-n", ns, "addr", "add", "198.51.100.2/24", "dev", uplink);
        NetnsTestKit.ip("-n", wan, "addr", "add", "198.51.100.1/24", "dev", net.link("g"));
        NetnsTestKit.ip("-n", ns, "route", "add", "default", "via", "198.51.100.1");
        inNs = net.threadIn(ns);
        shell = new NetnsShell(ns, inNs);
    }

    @AfterEach
    void cleanUp() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void hubSetUpIsVisibleAndCloseRemovesEveryPartOfIt() throws Exception {
        String hostForward = HostShell.system().readSysctl(FORWARD).orElseThrow();
        try (Tun tun = NetnsTestKit.await(inNs.submit(() -> Tun.open(net.link("t"))))) {
            String before = snapshot(tun.name());
            HubHostPlan plan = new HubHostPlan(tun.name(), HostSetupTest.cidr("10.13.0.1", 24), 1400, uplink,
                    HubHostPlan.DEFAULT_SOCKET_BUFFER_BYTES);
            try (HostSetup setup = HostSetup.open(dir, "hub", shell)) {
                HubHost.apply(setup, plan);
                assertHubApplied(tun.name());
                assertEquals(hostForward, HostShell.system().readSysctl(FORWARD).orElseThrow(),
                        "the host's own ip_forward changed: the test leaked out of its namespace");
                assertEquals(setup.steps(), HostJournal.read(setup.journalFile()).orElseThrow().steps());
                // a second apply finds everything in place
                List<HostJournal.Step> steps = setup.steps();
                HubHost.apply(setup, plan);
                assertEquals(steps, setup.steps());
                assertEquals(1, count(shell.check("iptables", "-t", "nat", "-S", "POSTROUTING"), "MASQUERADE"));
            }
            assertEquals(before, snapshot(tun.name()));
            assertFalse(Files.exists(dir.resolve("hub.journal")));
        }
    }

    @Test
    void aHubKilledWithSigkillIsUndoneAtTheNextStart() throws Exception {
        String tun = net.link("t");
        // a persistent TUN, so the crashed run's address and mtu outlive it and must be undone
        NetnsTestKit.ip("-n", ns, "tuntap", "add", "dev", tun, "mode", "tun");
        String before = snapshot(tun);
        Process child = new ProcessBuilder("ip", "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingHub.class.getName(), dir.toString(), tun, uplink)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("applied "), "the crashing hub said: " + line);
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertHubApplied(tun);
            assertNotEquals(before, snapshot(tun));
            assertTrue(Files.exists(dir.resolve("hub.journal")));

            try (HostSetup next = HostSetup.open(dir, "hub", shell)) {
                assertEquals(before, snapshot(tun), "the killed hub's set-up is undone before the next one starts");
                assertTrue(next.steps().isEmpty());
            }
            assertFalse(Files.exists(dir.resolve("hub.journal")));
        } finally {
            child.destroyForcibly();
            boolean unused = child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void nodeRoutesAroundAndThroughTheTunnelAndCloseRemovesIt() throws Exception {
        // the namespace kit turned IPv6 off; turn it on so that blocking it is a change
        shell.writeSysctl(NodeHost.DISABLE_ALL, "0");
        shell.writeSysctl(NodeHost.DISABLE_DEFAULT, "0");
        try (Tun tun = NetnsTestKit.await(inNs.submit(() -> Tun.open(net.link("t"))))) {
            String t = tun.name();
            String before = snapshot(t);
            NodeHostPlan plan = new NodeHostPlan(t, HostSetupTest.cidr("10.13.0.2", 24), 1400,
                    HostSetupTest.ipv4("203.0.113.1"), true, Ipv6.BLOCK);
            HostSetup setup = HostSetup.open(dir, "node", shell);
            try {
                NodeHost.apply(setup, plan);
                String routes = shell.check("ip", "-4", "route", "show");
                assertTrue(routes.contains("203.0.113.1 via 198.51.100.1 dev " + uplink), routes);
                assertTrue(routes.contains("0.0.0.0/1 dev " + t), routes);
                assertTrue(routes.contains("128.0.0.0/1 dev " + t), routes);
                // the kernel now sends everything into the tunnel but the hub itself
                assertTrue(shell.check("ip", "-4", "route", "get", "192.0.2.55").contains("dev " + t));
                assertTrue(shell.check("ip", "-4", "route", "get", "203.0.113.1")
                        .contains("via 198.51.100.1 dev " + uplink));
                assertTrue(shell.check("ip", "-o", "-4", "addr", "show", "dev", t).contains("inet 10.13.0.2/24"));
                assertTrue(shell.check("iptables", "-t", "mangle", "-S", "POSTROUTING").contains("-A POSTROUTING -o "
                        + t + " -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu"));
                assertEquals("1", shell.readSysctl(NodeHost.DISABLE_ALL).orElseThrow());
                assertEquals("1", shell.readSysctl(NodeHost.DISABLE_DEFAULT).orElseThrow());
                boolean fqStep = setup.steps().stream().anyMatch(s -> s.description().startsWith("fq qdisc"));
                assertEquals(fqStep, shell.check("tc", "qdisc", "show", "dev", t).contains("qdisc fq "),
                        "an fq step exactly when the kernel took fq");
                List<HostJournal.Step> steps = setup.steps();
                NodeHost.apply(setup, plan);
                assertEquals(steps, setup.steps(), "a second apply changed something");

                // a crash of this process's set-up: the next open undoes it, and the abandoned object is inert
                try (HostSetup next = HostSetup.open(dir, "node", shell)) {
                    assertEquals(before, snapshot(t));
                    NodeHost.apply(next, plan);
                    setup.close();
                    assertTrue(shell.check("ip", "-4", "route", "show").contains("0.0.0.0/1 dev " + t));
                }
            } finally {
                setup.close();
            }
            assertEquals(before, snapshot(t));
        }
    }

    private void assertHubApplied(String tun) throws Exception {
        assertTrue(shell.check("iptables", "-t", "nat", "-S", "POSTROUTING")
                .contains("-A POSTROUTING -s 10.13.0.0/24 -o " + uplink + " -j MASQUERADE"));
        String forward = shell.check("iptables", "-S", "FORWARD");
        assertTrue(forward.contains("-A FORWARD -i " + tun + " -o " + uplink + " -j ACCEPT"), forward);
        assertTrue(forward.contains("-A FORWARD -i " + uplink + " -o " + tun
                + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"), forward);
        assertTrue(shell.check("iptables", "-t", "mangle", "-S", "FORWARD").contains("-A FORWARD -o " + tun
                + " -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu"));
        String link = shell.check("ip", "-o", "link", "show", "dev", tun);
        assertTrue(link.contains(" mtu 1400 ") && link.contains(",UP"), link);
        assertTrue(shell.check("ip", "-o", "-4", "addr", "show", "dev", tun).contains("inet 10.13.0.1/24"));
        assertEquals("1", shell.readSysctl(FORWARD).orElseThrow());
    }

    /** Everything set-up may touch in the namespace, as text. */
    private String snapshot(String tun) throws Exception {
        StringBuilder b = new StringBuilder();
        b.append(shell.check("ip", "-o", "link", "show", "dev", tun).replaceAll("qdisc \\S+ ", ""));
        b.append(shell.check("ip", "-o", "addr", "show"));
        b.append(shell.check("ip", "-4", "route", "show", "table", "all"));
        for (String table : new String[] {"filter", "nat", "mangle"}) {
            b.append(shell.check("iptables", "-t", table, "-S"));
        }
        b.append(shell.check("ip6tables", "-S"));
        // the kernel attaches its default qdisc when a device first goes up and keeps it: only fq is ours
        shell.check("tc", "qdisc", "show", "dev", tun).lines().filter(l -> l.startsWith("qdisc fq "))
                .forEach(l -> b.append(l).append('\n'));
        for (String key : new String[] {FORWARD, "net.core.rmem_max", "net.core.wmem_max", NodeHost.DISABLE_ALL,
            NodeHost.DISABLE_DEFAULT}) {
            b.append(key).append(" = ").append(shell.readSysctl(key).orElse("(absent)")).append('\n');
        }
        return b.toString();
    }

    private static int count(String text, String word) {
        return (int) text.lines().filter(l -> l.contains(word)).count();
    }
}
