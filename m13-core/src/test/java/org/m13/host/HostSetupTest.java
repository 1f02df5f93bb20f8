package org.m13.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m13.config.Ipv4Cidr;
import org.m13.config.NodeConfig.Ipv6;
import org.m13.host.HostJournal.Contents;
import org.m13.host.HostJournal.Owner;

/** Host set-up against {@link FakeShell}: exact commands, undo order, idempotence, crash recovery. */
class HostSetupTest {
    private static final String TUN = "m13tun0";
    private static final String UPLINK = "eth0";

    @TempDir
    Path dir;

    private FakeShell host;

    @BeforeEach
    void host() {
        host = new FakeShell();
        host.link(TUN, 1500);
        host.link(UPLINK, 1500).up = true;
        host.sysctls.put("net.ipv4.ip_forward", "0");
        host.sysctls.put("net.core.rmem_max", "212992");
        host.sysctls.put("net.core.wmem_max", "212992");
        host.sysctls.put("net.ipv6.conf.all.disable_ipv6", "0");
        host.sysctls.put("net.ipv6.conf.default.disable_ipv6", "0");
        host.route("default", "198.51.100.1", UPLINK);
        host.routeGet.put("203.0.113.1", "203.0.113.1 via 198.51.100.1 dev eth0 src 198.51.100.2 uid 0");
    }

    private static HubHostPlan hubPlan() {
        return new HubHostPlan(TUN, cidr("10.13.0.1", 24), 1400, UPLINK, HubHostPlan.DEFAULT_SOCKET_BUFFER_BYTES);
    }

    private static NodeHostPlan nodePlan(boolean defaultRoute, Ipv6 ipv6) {
        return new NodeHostPlan(TUN, cidr("10.13.0.2", 24), 1400, ipv4("203.0.113.1"), defaultRoute, ipv6);
    }

    private static final List<String> HUB_CHANGES = List.of(
            "ip link set dev m13tun0 mtu 1400",
            "ip addr add 10.13.0.1/24 dev m13tun0",
            "ip link set dev m13tun0 up",
            "iptables -w -t nat -A POSTROUTING -s 10.13.0.0/24 -o eth0 -j MASQUERADE",
            "iptables -w -t filter -I FORWARD 1 -i m13tun0 -o eth0 -j ACCEPT",
            "iptables -w -t filter -I FORWARD 1 -i eth0 -o m13tun0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "iptables -w -t mangle -A FORWARD -o m13tun0 -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
            "sysctl net.core.rmem_max=8388608",
            "sysctl net.core.wmem_max=8388608",
            "sysctl net.ipv4.ip_forward=1");

    private static final List<String> HUB_UNDO = List.of(
            "sysctl net.ipv4.ip_forward=0",
            "sysctl net.core.wmem_max=212992",
            "sysctl net.core.rmem_max=212992",
            "iptables -w -t mangle -D FORWARD -o m13tun0 -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
            "iptables -w -t filter -D FORWARD -i eth0 -o m13tun0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "iptables -w -t filter -D FORWARD -i m13tun0 -o eth0 -j ACCEPT",
            "iptables -w -t nat -D POSTROUTING -s 10.13.0.0/24 -o eth0 -j MASQUERADE",
            "ip link set dev m13tun0 down",
            "ip addr del 10.13.0.1/24 dev m13tun0",
            "ip link set dev m13tun0 mtu 1500");

    @Test
    void hubAppliesExactlyTheseCommandsAndUndoesThemInReverse() throws Exception {
        String before = host.state();
        Path journal;
        try (HostSetup setup = HostSetup.open(dir, "hub", host)) {
            journal = setup.journalFile();
            assertEquals(dir.resolve("hub.journal"), journal);
            HubHost.apply(setup, hubPlan());
            assertEquals(HUB_CHANGES, host.changes());
            assertEquals(10, setup.steps().size());
            assertEquals(10, HostJournal.read(journal).orElseThrow().steps().size());
            // the two FORWARD rules sit at the head of the chain, the state rule first
            assertEquals(List.of("-i eth0 -o m13tun0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                    "-i m13tun0 -o eth0 -j ACCEPT"), host.rules.get("iptables filter FORWARD"));
            host.log.clear();
        }
        assertEquals(HUB_UNDO, host.changes());
        assertEquals(before, host.state());
        assertFalse(Files.exists(journal));
    }

    @Test
    void applyingTwiceChangesOnceAndCloseIsIdempotent() throws Exception {
        String before = host.state();
        HostSetup setup = HostSetup.open(dir, "hub", host);
        HubHost.apply(setup, hubPlan());
        String applied = host.state();
        int changes = host.changes().size();
        HubHost.apply(setup, hubPlan());
        assertEquals(changes, host.changes().size(), "second apply changed something: " + host.changes());
        assertEquals(applied, host.state());
        assertEquals(10, setup.steps().size());
        setup.close();
        int afterClose = host.log.size();
        setup.close();
        assertEquals(afterClose, host.log.size(), "a second close ran commands");
        assertEquals(before, host.state());
        assertThrows(HostSetupException.class, () -> setup.linkUp(TUN));
    }

    @Test
    void journalIsWrittenBeforeEachChangeAndReadsBack() throws Exception {
        try (HostSetup setup = HostSetup.open(dir, "hub", host)) {
            setup.setMtu(TUN, 1400);
            setup.setSysctl("net.ipv4.ip_forward", "1");
            List<String> lines = Files.readAllLines(setup.journalFile(), StandardCharsets.UTF_8);
            assertEquals(3, lines.size());
            assertTrue(lines.get(0).startsWith("{\"journal\":\"m13-host\",\"name\":\"hub\",\"pid\":"
                    + ProcessHandle.current().pid() + ",\"start\":"), lines.get(0));
            assertEquals("{\"step\":1,\"description\":\"mtu 1400 on m13tun0 (was 1500)\","
                    + "\"undo\":[[\"ip\",\"link\",\"set\",\"dev\",\"m13tun0\",\"mtu\",\"1500\"]]}", lines.get(1));
            assertEquals("{\"step\":2,\"description\":\"net.ipv4.ip_forward = 1 (was 0)\","
                    + "\"sysctl\":\"net.ipv4.ip_forward\",\"old\":\"0\",\"new\":\"1\"}", lines.get(2));
            Contents contents = HostJournal.read(setup.journalFile()).orElseThrow();
            assertEquals(Owner.current(), contents.owner());
            assertEquals(setup.steps(), contents.steps());
            assertEquals("rw-------", mode(setup.journalFile()));
        }
    }

    @Test
    void eachStepIsOnDiskBeforeItsChangeIsMade() throws Exception {
        Path journal = dir.resolve("hub.journal");
        List<String> lastLineAtChange = new ArrayList<>();
        HostShell spy = new HostShell() {
            @Override
            public Result run(List<String> argv) {
                String c = String.join(" ", argv);
                if (!c.contains(" show ") && !c.contains(" -C ")) {
                    lastLineAtChange.add(lastLine(journal));
                }
                return host.run(argv);
            }

            @Override
            public java.util.Optional<String> readSysctl(String key) {
                return host.readSysctl(key);
            }

            @Override
            public void writeSysctl(String key, String value) throws HostSetupException {
                lastLineAtChange.add(lastLine(journal));
                host.writeSysctl(key, value);
            }
        };
        try (HostSetup setup = HostSetup.open(dir, "hub", spy)) {
            HubHost.apply(setup, hubPlan());
            List<String> lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
            assertEquals(lines.subList(1, lines.size()), lastLineAtChange);
            lastLineAtChange.clear();
        }
    }

    private static String lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.get(lines.size() - 1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aFailedCommandNamesItselfAndLeavesEarlierStepsToUndo() throws Exception {
        String before = host.state();
        host.failing.put("iptables -w -t filter -I FORWARD 1 -i eth0",
                "iptables v1.8.9 (nf_tables): Couldn't load match `conntrack':No such file or directory\n");
        HostSetup setup = HostSetup.open(dir, "hub", host);
        HostSetupException e = assertThrows(HostSetupException.class, () -> HubHost.apply(setup, hubPlan()));
        assertEquals("`iptables -w -t filter -I FORWARD 1 -i eth0 -o m13tun0 -m conntrack --ctstate "
                + "RELATED,ESTABLISHED -j ACCEPT` exited 1: iptables v1.8.9 (nf_tables): Couldn't load match "
                + "`conntrack':No such file or directory", e.getMessage());
        assertEquals(5, setup.steps().size());
        assertEquals(5, HostJournal.read(setup.journalFile()).orElseThrow().steps().size(),
                "the failed step must be cut off the journal");
        setup.close();
        assertEquals(before, host.state());
    }

    @Test
    void aCheckThatFailsForAnotherReasonThanAMissingRuleIsAnError() throws Exception {
        host.failing.put("iptables -w -t nat -C", "iptables v1.8.9 (nf_tables): unknown option \"--bogus\"\n");
        host.failingExit = 2; // -C exits 1 for "no such rule", 2 for a bad command line
        try (HostSetup setup = HostSetup.open(dir, "hub", host)) {
            HostSetupException e = assertThrows(HostSetupException.class,
                    () -> setup.iptables("nat", "POSTROUTING", "--bogus"));
            assertEquals("`iptables -w -t nat -C POSTROUTING --bogus` exited 2: iptables v1.8.9 (nf_tables): unknown "
                    + "option \"--bogus\"", e.getMessage());
            assertEquals(List.of("iptables -w -t nat -C POSTROUTING --bogus"), host.log);
            assertTrue(setup.steps().isEmpty());
        }
    }

    @Test
    void aCrashedRunIsUndoneAtTheNextOpen() throws Exception {
        String before = host.state();
        HostSetup crashed = HostSetup.open(dir, "hub", host);
        HubHost.apply(crashed, hubPlan());
        String applied = host.state();
        Path journal = crashed.journalFile();
        rewriteOwner(journal, deadOwner());
        host.log.clear();

        try (HostSetup next = HostSetup.open(dir, "hub", host)) {
            assertEquals(HUB_UNDO, host.changes(), "the crashed run's steps, undone in reverse");
            assertEquals(before, host.state());
            assertTrue(next.steps().isEmpty());
            assertEquals(Owner.current(), HostJournal.read(journal).orElseThrow().owner());
            HubHost.apply(next, hubPlan());
            assertEquals(applied, host.state());
        }
        assertEquals(before, host.state());
        assertFalse(Files.exists(journal));
    }

    @Test
    void thisProcesssOwnAbandonedSetUpIsUndoneAndItsObjectDisowned() throws Exception {
        String before = host.state();
        HostSetup abandoned = HostSetup.open(dir, "hub", host);
        HubHost.apply(abandoned, hubPlan());
        String applied = host.state();
        try (HostSetup next = HostSetup.open(dir, "hub", host)) {
            assertEquals(before, host.state());
            HubHost.apply(next, hubPlan());
            host.log.clear();
            abandoned.close(); // must not undo what the new set-up applied
            assertEquals(List.of(), host.log);
            assertEquals(applied, host.state());
        }
        assertEquals(before, host.state());
    }

    @Test
    void aJournalOfAnotherRunningProcessIsRefused() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            long start = sleeper.toHandle().info().startInstant().orElseThrow().toEpochMilli();
            HostSetup crashed = HostSetup.open(dir, "node", host);
            crashed.setSysctl("net.ipv4.ip_forward", "1");
            rewriteOwner(crashed.journalFile(), new Owner(sleeper.pid(), start));
            HostSetupException e = assertThrows(HostSetupException.class, () -> HostSetup.open(dir, "node", host));
            assertTrue(e.getMessage().contains("belongs to process " + sleeper.pid() + ", which is running"),
                    e.getMessage());
            assertEquals("1", host.sysctls.get("net.ipv4.ip_forward"), "nothing of the live owner's undone");
            // the same pid with another start time is a reused pid: the journal is stale
            rewriteOwner(crashed.journalFile(), new Owner(sleeper.pid(), start - 60_000));
            try (HostSetup next = HostSetup.open(dir, "node", host)) {
                assertEquals("0", host.sysctls.get("net.ipv4.ip_forward"));
                assertTrue(next.steps().isEmpty());
            }
        } finally {
            sleeper.destroyForcibly();
            boolean unused = sleeper.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void recoverWithoutAJournalDoesNothing() throws Exception {
        assertEquals(0, HostSetup.recover(dir, "hub", host));
        assertEquals(List.of(), host.log);
    }

    @Test
    void aTornLastLineIsIgnoredAndOnlySetUpToolsAreRun() throws Exception {
        Path journal = dir.resolve("hub.journal");
        Owner dead = deadOwner();
        Files.writeString(journal, "{\"journal\":\"m13-host\",\"name\":\"hub\",\"pid\":" + dead.pid() + ",\"start\":"
                + dead.startMillis() + "}\n"
                + "{\"step\":1,\"description\":\"a\",\"undo\":[[\"ip\",\"link\",\"set\",\"dev\",\"m13tun0\",\"down\"]]}\n"
                + "{\"step\":2,\"description\":\"b\",\"undo\":[[\"rm\",\"-rf\",\"/\"]]}\n"
                + "{\"step\":3,\"description\":\"c\",\"und", StandardCharsets.UTF_8);
        host.links.get(TUN).up = true;
        assertEquals(2, HostSetup.recover(dir, "hub", host));
        assertEquals(List.of("ip link set dev m13tun0 down"), host.log);
        assertFalse(host.links.get(TUN).up);
        assertFalse(Files.exists(journal));
    }

    @Test
    void undoToleratesWhatIsAlreadyGoneAndSysctlsChangedSince() throws Exception {
        HostSetup setup = HostSetup.open(dir, "hub", host);
        HubHost.apply(setup, hubPlan());
        host.links.remove(TUN); // the TUN vanished with its descriptor
        host.qdiscs.remove(TUN);
        host.rules.get("iptables nat POSTROUTING").clear(); // someone flushed nat
        host.sysctls.put("net.core.rmem_max", "16777216"); // and raised rmem_max further
        setup.close();
        assertEquals("16777216", host.sysctls.get("net.core.rmem_max"));
        assertEquals("212992", host.sysctls.get("net.core.wmem_max"));
        assertEquals("0", host.sysctls.get("net.ipv4.ip_forward"));
        assertTrue(host.rules.values().stream().allMatch(List::isEmpty), host.rules.toString());
        assertFalse(Files.exists(setup.journalFile()));
    }

    @Test
    void socketBufferLimitsThatCannotBeRaisedAreLeftAndTheRestGoesOn() throws Exception {
        host.readOnlySysctls.add("net.core.rmem_max");
        host.readOnlySysctls.add("net.core.wmem_max");
        host.sysctls.put("net.core.wmem_max", "16777216"); // already higher: not even tried
        try (HostSetup setup = HostSetup.open(dir, "hub", host)) {
            HubHost.apply(setup, hubPlan());
            assertEquals(8, setup.steps().size());
            assertTrue(host.log.contains("sysctl net.core.rmem_max=8388608"));
            assertFalse(host.log.contains("sysctl net.core.wmem_max=8388608"));
            assertEquals("1", host.sysctls.get("net.ipv4.ip_forward"));
        }
        assertEquals("16777216", host.sysctls.get("net.core.wmem_max"));
    }

    private static final List<String> NODE_CHANGES = List.of(
            "ip link set dev m13tun0 mtu 1400",
            "ip addr add 10.13.0.2/24 dev m13tun0",
            "ip link set dev m13tun0 up",
            "ip route add 203.0.113.1/32 via 198.51.100.1 dev eth0",
            "ip route add 0.0.0.0/1 dev m13tun0",
            "ip route add 128.0.0.0/1 dev m13tun0",
            "iptables -w -t mangle -A POSTROUTING -o m13tun0 -p tcp --tcp-flags SYN,RST SYN -j TCPMSS "
                    + "--clamp-mss-to-pmtu",
            "sysctl net.ipv6.conf.all.disable_ipv6=1",
            "sysctl net.ipv6.conf.default.disable_ipv6=1",
            "tc qdisc replace dev m13tun0 root fq");

    @Test
    void nodeRoutesTheHubAroundTheTunnelAndEverythingElseThroughIt() throws Exception {
        host.fqAvailable = true;
        String before = host.state();
        try (HostSetup setup = HostSetup.open(dir, "node", host)) {
            NodeHost.apply(setup, nodePlan(true, Ipv6.BLOCK));
            assertEquals(NODE_CHANGES, host.changes());
            assertEquals(10, setup.steps().size());
            host.log.clear();
            NodeHost.apply(setup, nodePlan(true, Ipv6.BLOCK));
            assertEquals(List.of(), host.changes(), "second apply");
            host.log.clear();
        }
        assertEquals(List.of(
                "tc qdisc del dev m13tun0 root",
                "sysctl net.ipv6.conf.default.disable_ipv6=0",
                "sysctl net.ipv6.conf.all.disable_ipv6=0",
                "iptables -w -t mangle -D POSTROUTING -o m13tun0 -p tcp --tcp-flags SYN,RST SYN -j TCPMSS "
                        + "--clamp-mss-to-pmtu",
                "ip route del 128.0.0.0/1 dev m13tun0",
                "ip route del 0.0.0.0/1 dev m13tun0",
                "ip route del 203.0.113.1/32 via 198.51.100.1 dev eth0",
                "ip link set dev m13tun0 down",
                "ip addr del 10.13.0.2/24 dev m13tun0",
                "ip link set dev m13tun0 mtu 1500"), host.changes());
        assertEquals(before, host.state());
    }

    @Test
    void nodeWithoutFqDefaultRouteOrIpv6BlockingDoesLess() throws Exception {
        host.routeGet.put("203.0.113.1", "203.0.113.1 dev eth0 src 203.0.113.2 uid 0"); // on-link
        try (HostSetup setup = HostSetup.open(dir, "node", host)) {
            NodeHost.apply(setup, nodePlan(false, Ipv6.ALLOW));
            assertEquals(List.of(
                    "ip link set dev m13tun0 mtu 1400",
                    "ip addr add 10.13.0.2/24 dev m13tun0",
                    "ip link set dev m13tun0 up",
                    "ip route add 203.0.113.1/32 dev eth0",
                    "iptables -w -t mangle -A POSTROUTING -o m13tun0 -p tcp --tcp-flags SYN,RST SYN -j TCPMSS "
                            + "--clamp-mss-to-pmtu",
                    "tc qdisc replace dev m13tun0 root fq"), host.changes());
            assertEquals(5, setup.steps().size(), "no step for the fq the kernel lacks");
            assertFalse(HostJournal.read(setup.journalFile()).orElseThrow().steps().stream()
                    .anyMatch(s -> s.description().contains("fq")));
        }
    }

    @Test
    void nodeBlocksIpv6WithIp6tablesWhereTheSysctlIsAbsent() throws Exception {
        host.sysctls.remove("net.ipv6.conf.all.disable_ipv6");
        host.sysctls.remove("net.ipv6.conf.default.disable_ipv6");
        try (HostSetup setup = HostSetup.open(dir, "node", host)) {
            NodeHost.apply(setup, nodePlan(true, Ipv6.BLOCK));
            assertEquals(List.of("! -o lo -j DROP"), host.rules.get("ip6tables filter OUTPUT"));
            assertEquals(List.of("-j DROP"), host.rules.get("ip6tables filter FORWARD"));
        }
        assertEquals(List.of(), host.rules.get("ip6tables filter OUTPUT"));
        assertEquals(List.of(), host.rules.get("ip6tables filter FORWARD"));

        host.ip6tablesWorks = false; // no IPv6 in this kernel at all: nothing to block, and no error
        try (HostSetup setup = HostSetup.open(dir, "node", host)) {
            NodeHost.apply(setup, nodePlan(true, Ipv6.BLOCK));
            assertTrue(setup.steps().stream().noneMatch(s -> s.description().contains("ip6tables")));
        }
    }

    @Test
    void nodeRefusesAHubRouteThroughItsOwnTunnel() throws Exception {
        host.routeGet.put("203.0.113.1", "203.0.113.1 dev m13tun0 src 10.13.0.2 uid 0");
        try (HostSetup setup = HostSetup.open(dir, "node", host)) {
            HostSetupException e = assertThrows(HostSetupException.class,
                    () -> NodeHost.apply(setup, nodePlan(true, Ipv6.BLOCK)));
            assertTrue(e.getMessage().contains("already goes through m13tun0"), e.getMessage());
        }
        host.routeGet.remove("203.0.113.1");
        try (HostSetup setup = HostSetup.open(dir, "node", host)) {
            HostSetupException e = assertThrows(HostSetupException.class,
                    () -> NodeHost.apply(setup, nodePlan(true, Ipv6.BLOCK)));
            assertEquals("no route to 203.0.113.1: RTNETLINK answers: Network is unreachable", e.getMessage());
        }
    }

    @Test
    void subnetOfTheTunnelAddress() {
        assertEquals("10.13.0.0/24", hubPlan().subnet());
        assertEquals("10.12.0.0/14", HubHostPlan.network(cidr("10.13.200.7", 14)));
        assertEquals("0.0.0.0/0", HubHostPlan.network(cidr("10.13.200.7", 0)));
        assertEquals("10.13.200.7/32", HubHostPlan.network(cidr("10.13.200.7", 32)));
    }

    @Test
    void journalNamesAreRoles() {
        assertThrows(IllegalArgumentException.class, () -> HostJournal.file(dir, "../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> HostJournal.file(dir, "Hub"));
        assertEquals(dir.resolve("node-2.journal"), HostJournal.file(dir, "node-2"));
    }

    /** A process that has exited, with its real start time: what a crashed daemon leaves. */
    static Owner deadOwner() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        long start = p.toHandle().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return new Owner(p.pid(), start);
    }

    static void rewriteOwner(Path journal, Owner owner) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(journal, StandardCharsets.UTF_8));
        lines.set(0, lines.get(0).replaceFirst("\"pid\":\\d+,\"start\":-?\\d+",
                "\"pid\":" + owner.pid() + ",\"start\":" + owner.startMillis()));
        Files.write(journal, lines, StandardCharsets.UTF_8);
    }

    private static String mode(Path file) throws IOException {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    static Ipv4Cidr cidr(String address, int prefix) {
        return new Ipv4Cidr(ipv4(address), prefix);
    }

    static Inet4Address ipv4(String address) {
        try {
            return (Inet4Address) InetAddress.getByName(address);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
