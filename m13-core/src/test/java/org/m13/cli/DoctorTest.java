package org.m13.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.m13.cli.Doctor.Finding;
import org.m13.cli.Doctor.Level;
import org.m13.cli.Doctor.Role;

class DoctorTest {
    private static final String CONFIG = "CONFIG_BPF_SYSCALL=y\nCONFIG_XDP_SOCKETS=y\nCONFIG_IO_URING=y\nCONFIG_TUN=m\n";
    // CapEff with NET_ADMIN(12), NET_RAW(13), IPC_LOCK(14), BPF(39): root-like
    private static final String ALL_CAPS = "000001ffffffffff";

    /** A host made of strings: files, directories, commands. */
    private static final class FakeHost implements Doctor.Host {
        final Map<String, byte[]> files = new HashMap<>();
        final Map<String, List<String>> dirs = new HashMap<>();
        final Map<String, String> commands = new HashMap<>();
        String release = "6.1.0-27-amd64";
        boolean nativeOk = true;
        String xdpProblem;
        String ioUringProblem;

        FakeHost() {
            file("/boot/config-" + release, CONFIG);
            file("/proc/sys/kernel/io_uring_disabled", "0\n");
            file("/proc/self/status", "Name:\tjava\nCapEff:\t" + ALL_CAPS + "\n");
            file("/proc/self/limits", """
                    Max cpu time              unlimited            unlimited            seconds
                    Max locked memory         unlimited            unlimited            bytes
                    """);
            file("/proc/sys/net/core/optmem_max", "2097152\n");
            file("/proc/meminfo", "MemTotal: 1 kB\nHugePages_Free:       32\nHugepagesize:       2048 kB\n");
            file("/dev/net/tun", "");
            commands.put("ip -V", "ip utility, iproute2-6.1.0\n");
            commands.put("iptables --version", "iptables v1.8.9 (nf_tables)\n");
            file("/sys/class/net/eth1", "");
            dirs.put("/sys/class/net/eth1/queues", List.of("rx-0", "tx-0"));
            file("/sys/class/net/eth1/mtu", "1500\n");
            commands.put("ethtool -k eth1", "Features for eth1:\nrx-vlan-offload: off [fixed]\n");
        }

        @CanIgnoreReturnValue
        FakeHost file(String path, String text) {
            files.put(path, text.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        @Override
        public Optional<byte[]> read(String path) {
            return Optional.ofNullable(files.get(path));
        }

        @Override
        public boolean exists(String path) {
            return files.containsKey(path) || dirs.containsKey(path);
        }

        @Override
        public List<String> list(String path) {
            return dirs.getOrDefault(path, List.of());
        }

        @Override
        public Optional<String> run(String... command) {
            return Optional.ofNullable(commands.get(String.join(" ", command)));
        }

        @Override
        public String kernelRelease() {
            return release;
        }

        @Override
        public boolean nativeLibraryAvailable() {
            return nativeOk;
        }

        @Override
        public String nativeLibraryProblem() {
            return "native library /x/libm13.so does not exist";
        }

        @Override
        public String xdpProblem() {
            return xdpProblem;
        }

        @Override
        public String ioUringProblem() {
            return ioUringProblem;
        }
    }

    private static Finding find(List<Finding> findings, String check) {
        return findings.stream().filter(f -> f.check().equals(check)).findFirst()
                .orElseThrow(() -> new AssertionError("no finding '" + check + "' in " + findings));
    }

    private static long count(List<Finding> findings, Level level) {
        return findings.stream().filter(f -> f.level() == level).count();
    }

    @Test
    void aHealthyHostHasNoProblems() {
        List<Finding> findings = new Doctor(new FakeHost(), Role.BOTH, "eth1").run();
        assertEquals(0, count(findings, Level.FAIL), findings.toString());
        assertEquals(0, count(findings, Level.WARN), findings.toString());
        assertEquals(Level.OK, find(findings, "CONFIG_TUN").level());
        assertEquals(Level.OK, find(findings, "hugepages").level());
    }

    @Test
    void anOldKernelIsBlocking() {
        FakeHost host = new FakeHost();
        host.release = "5.15.0-91-generic";
        host.file("/boot/config-" + host.release, CONFIG);
        Finding kernel = find(new Doctor(host, Role.NODE, null).run(), "kernel");
        assertEquals(Level.FAIL, kernel.level());
        assertTrue(kernel.detail().contains("5.15.0-91-generic"));
    }

    @Test
    void theGzippedRunningConfigIsPreferredAndMissingOptionsFailForTheirRole() throws IOException {
        FakeHost host = new FakeHost();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write("CONFIG_BPF_SYSCALL=y\n# CONFIG_XDP_SOCKETS is not set\nCONFIG_IO_URING=y\nCONFIG_TUN=y\n"
                    .getBytes(StandardCharsets.UTF_8));
        }
        host.files.put("/proc/config.gz", gz.toByteArray());
        Finding hub = find(new Doctor(host, Role.HUB, null).run(), "CONFIG_XDP_SOCKETS");
        assertEquals(Level.FAIL, hub.level());
        assertTrue(hub.fix().contains("CONFIG_XDP_SOCKETS=y"));
        // a node does not need AF_XDP
        assertTrue(new Doctor(host, Role.NODE, null).run().stream()
                .noneMatch(f -> f.check().equals("CONFIG_XDP_SOCKETS")));
    }

    @Test
    void anUnreadableConfigIsAWarningNotAFailure() {
        FakeHost host = new FakeHost();
        host.files.remove("/boot/config-" + host.release);
        List<Finding> findings = new Doctor(host, Role.BOTH, null).run();
        assertEquals(Level.WARN, find(findings, "kernel config").level());
        assertEquals(0, count(findings, Level.FAIL));
    }

    @Test
    void ioUringDisabledIsReportedByItsValue() {
        FakeHost host = new FakeHost().file("/proc/sys/kernel/io_uring_disabled", "2\n");
        assertEquals(Level.FAIL, find(new Doctor(host, Role.NODE, null).run(), "io_uring_disabled").level());
        host.file("/proc/sys/kernel/io_uring_disabled", "1\n");
        assertEquals(Level.WARN, find(new Doctor(host, Role.NODE, null).run(), "io_uring_disabled").level());
    }

    @Test
    void aSmallMemlockWithoutIpcLockBlocksTheHub() {
        FakeHost host = new FakeHost()
                .file("/proc/self/status", "CapEff:\t0000008000003000\n") // NET_ADMIN, NET_RAW, BPF; no IPC_LOCK
                .file("/proc/self/limits", "Max locked memory         8388608              8388608              bytes\n");
        Finding memlock = find(new Doctor(host, Role.HUB, null).run(), "memlock");
        assertEquals(Level.FAIL, memlock.level());
        assertTrue(memlock.fix().contains("LimitMEMLOCK=infinity"));
        assertEquals(Level.WARN, find(new Doctor(host, Role.NODE, null).run(), "memlock").level());
    }

    @Test
    void missingCapabilitiesAreNamed() {
        FakeHost host = new FakeHost().file("/proc/self/status", "CapEff:\t0000000000000000\n");
        Finding caps = find(new Doctor(host, Role.HUB, null).run(), "capabilities");
        assertEquals(Level.FAIL, caps.level());
        assertEquals("missing CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF", caps.detail());
    }

    @Test
    void lowOptmemAndNoHugepagesAreWarningsWithFixes() {
        FakeHost host = new FakeHost().file("/proc/sys/net/core/optmem_max", "131072\n")
                .file("/proc/meminfo", "HugePages_Free:        0\nHugepagesize:       2048 kB\n");
        List<Finding> findings = new Doctor(host, Role.HUB, null).run();
        assertEquals("sysctl -w net.core.optmem_max=2097152", find(findings, "optmem_max").fix());
        Finding huge = find(findings, "hugepages");
        assertEquals(Level.WARN, huge.level());
        assertEquals("echo 16 > /proc/sys/vm/nr_hugepages", huge.fix());
        assertEquals(0, count(findings, Level.FAIL));
    }

    @Test
    void nicQueuesMtuAndVlanOffloadAreCheckedForTheHub() {
        FakeHost host = new FakeHost().file("/sys/class/net/eth1/mtu", "9000\n");
        host.dirs.put("/sys/class/net/eth1/queues", List.of("rx-0", "rx-1", "tx-0", "tx-1"));
        host.commands.put("ethtool -k eth1", "rx-vlan-offload: on\n");
        List<Finding> findings = new Doctor(host, Role.HUB, "eth1").run();
        assertEquals("ethtool -L eth1 combined 1", find(findings, "eth1 queues").fix());
        assertEquals(Level.WARN, find(findings, "eth1 mtu").level());
        assertEquals("ethtool -K eth1 rxvlan off", find(findings, "eth1 offloads").fix());
    }

    @Test
    void aMissingInterfaceOrLibraryOrToolIsBlocking() {
        FakeHost host = new FakeHost();
        host.nativeOk = false;
        host.commands.remove("iptables --version");
        host.files.remove("/dev/net/tun");
        List<Finding> findings = new Doctor(host, Role.BOTH, "wan9").run();
        assertEquals(Level.FAIL, find(findings, "interface wan9").level());
        assertEquals("native library /x/libm13.so does not exist", find(findings, "native library").detail());
        assertEquals("apt-get install iptables", find(findings, "iptables").fix());
        assertEquals(Level.FAIL, find(findings, "/dev/net/tun").level());
        assertEquals(4, count(findings, Level.FAIL));
    }

    @Test
    void runtimeProbesCatchWhatTheConfigDoesNotSay() {
        FakeHost host = new FakeHost();
        host.ioUringProblem = "io_uring_setup: Operation not permitted (errno 1)";
        List<Finding> node = new Doctor(host, Role.NODE, null).run();
        assertEquals(Level.FAIL, find(node, "io_uring").level());
        assertEquals("io_uring_setup: Operation not permitted (errno 1)", find(node, "io_uring").detail());
        assertTrue(node.stream().noneMatch(f -> f.check().equals("XDP program")));
        assertEquals(Level.OK, find(new Doctor(host, Role.HUB, null).run(), "XDP program").level());
    }

    @Test
    void kernelReleasesParse() {
        assertEquals(6, Doctor.parseVersion("6.18.44-fc-v1045")[0]);
        assertEquals(18, Doctor.parseVersion("6.18.44-fc-v1045")[1]);
        assertEquals(null, Doctor.parseVersion("garbage"));
    }

    @Test
    void theRealHostReadsProcSysFilesWhole() {
        // Files.readAllBytes returns one byte of /proc/sys files; the real host must not.
        Optional<byte[]> optmem = Doctor.realHost().read("/proc/sys/net/core/optmem_max");
        assertTrue(optmem.isPresent(), "/proc/sys/net/core/optmem_max unreadable");
        String text = new String(optmem.get(), StandardCharsets.UTF_8).strip();
        assertTrue(text.length() > 1, "read only '" + text + "'");
    }
}
