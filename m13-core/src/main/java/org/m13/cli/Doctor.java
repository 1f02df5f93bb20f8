package org.m13.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * The host checks behind {@code m13 doctor}: what the original M13 called "Phase 0"
 * (kernel, kernel config, memlock, optmem, hugepages, NIC queues and offloads) plus
 * what the Java daemons need (the native library, TUN, capabilities, ip/iptables).
 *
 * <p>Everything is read through {@link Host}, so tests run the checks against a fake
 * /proc and /sys in a temporary directory. A check never throws: an unreadable file
 * becomes a WARN that says so.
 */
public final class Doctor {
    /** Severity of a finding; any FAIL makes {@code m13 doctor} exit non-zero. */
    public enum Level {
        OK, WARN, FAIL
    }

    /** One line of the report: what was checked, what was found, how to fix it. */
    public record Finding(Level level, String check, String detail, String fix) {
    }

    /** Which daemon the host is meant for; some checks only matter to one. */
    public enum Role {
        HUB, NODE, BOTH
    }

    /** What the checks read: files under a root, commands, and process facts. */
    public interface Host {
        /** Contents of an absolute path such as /proc/meminfo, or empty when unreadable. */
        Optional<byte[]> read(String path);

        boolean exists(String path);

        /** The names in a directory, or an empty list. */
        List<String> list(String path);

        /** Standard output of a command, or empty when it cannot run or fails. */
        Optional<String> run(String... command);

        String kernelRelease();

        boolean nativeLibraryAvailable();

        String nativeLibraryProblem();

        /** Why the XDP steering program cannot be loaded (object missing, BPF refused), or null. */
        String xdpProblem();

        /** Why io_uring with a provided buffer ring cannot be created here, or null. */
        String ioUringProblem();
    }

    /** UMEM the hub maps for AF_XDP: 8192 frames of 4 KB (32 MB), see NATIVE-NOTES. */
    static final long UMEM_BYTES = 8192L * 4096;
    static final long OPTMEM_RECOMMENDED = 2_097_152;
    static final int CAP_NET_ADMIN = 12;
    static final int CAP_NET_RAW = 13;
    static final int CAP_IPC_LOCK = 14;
    static final int CAP_BPF = 39;

    private final Host host;
    private final Role role;
    private final String iface;
    private final List<Finding> findings = new ArrayList<>();

    public Doctor(Host host, Role role, String iface) {
        this.host = host;
        this.role = role;
        this.iface = iface;
    }

    /** Runs every check once and returns the findings in report order. */
    public List<Finding> run() {
        findings.clear();
        checkKernelVersion();
        checkKernelConfig();
        checkIoUringSysctl();
        checkCapabilities();
        checkMemlock();
        checkOptmem();
        checkHugepages();
        checkTunDevice();
        checkCommands();
        checkNativeLibrary();
        if (iface != null) {
            checkInterface();
        }
        return List.copyOf(findings);
    }

    private boolean hub() {
        return role != Role.NODE;
    }

    private boolean node() {
        return role != Role.HUB;
    }

    private void add(Level level, String check, String detail, String fix) {
        findings.add(new Finding(level, check, detail, fix));
    }

    private Optional<String> text(String path) {
        return host.read(path).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    private void checkKernelVersion() {
        String release = host.kernelRelease();
        int[] version = parseVersion(release);
        if (version == null) {
            add(Level.WARN, "kernel", "cannot parse kernel release '" + release + "'", "");
        } else if (version[0] < 6) {
            add(Level.FAIL, "kernel", release + ": multishot recv and provided-buffer rings need 6.0 or newer",
                    "upgrade the kernel to 6.x");
        } else {
            add(Level.OK, "kernel", release + " (6.0 or newer)", "");
        }
    }

    static int[] parseVersion(String release) {
        String[] parts = release.split("[.\\-+]", -1);
        if (parts.length < 2) {
            return null;
        }
        try {
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void checkKernelConfig() {
        Optional<String> config = kernelConfig();
        if (config.isEmpty()) {
            add(Level.WARN, "kernel config", "neither /proc/config.gz nor /boot/config-" + host.kernelRelease()
                    + " is readable; XDP sockets and io_uring are probed at start-up instead", "");
            return;
        }
        String c = config.get();
        configOption(c, "CONFIG_BPF_SYSCALL", true, "BPF system call (XDP program)");
        if (hub()) {
            configOption(c, "CONFIG_XDP_SOCKETS", true, "AF_XDP sockets (hub data plane)");
        }
        if (node()) {
            configOption(c, "CONFIG_IO_URING", true, "io_uring (node data plane)");
        }
        configOption(c, "CONFIG_TUN", true, "TUN devices");
    }

    private void configOption(String config, String option, boolean required, String what) {
        String value = configValue(config, option);
        if ("y".equals(value) || "m".equals(value)) {
            add(Level.OK, option, what + ": " + value, "");
        } else {
            add(required ? Level.FAIL : Level.WARN, option, what + ": not set",
                    "use a kernel built with " + option + "=y");
        }
    }

    static String configValue(String config, String option) {
        for (String line : config.lines().toList()) {
            if (line.startsWith(option + "=")) {
                return line.substring(option.length() + 1).strip();
            }
        }
        return null;
    }

    private Optional<String> kernelConfig() {
        Optional<byte[]> gz = host.read("/proc/config.gz");
        if (gz.isPresent()) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz.get()))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return Optional.of(out.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // fall through to /boot
            }
        }
        return text("/boot/config-" + host.kernelRelease());
    }

    private void checkIoUringSysctl() {
        if (!node()) {
            return;
        }
        Optional<String> disabled = text("/proc/sys/kernel/io_uring_disabled");
        if (disabled.isEmpty()) {
            add(Level.OK, "io_uring_disabled", "sysctl absent (kernel older than 6.6): io_uring allowed", "");
            return;
        }
        switch (disabled.get().strip()) {
            case "0" -> add(Level.OK, "io_uring_disabled", "0: io_uring allowed for all", "");
            case "1" -> add(Level.WARN, "io_uring_disabled",
                    "1: io_uring only for root and the group in kernel.io_uring_group",
                    "run the node as root or add its user to kernel.io_uring_group");
            default -> add(Level.FAIL, "io_uring_disabled", disabled.get().strip() + ": io_uring disabled",
                    "sysctl -w kernel.io_uring_disabled=0");
        }
    }

    private long effectiveCapabilities() {
        Optional<String> status = text("/proc/self/status");
        if (status.isPresent()) {
            for (String line : status.get().lines().toList()) {
                if (line.startsWith("CapEff:")) {
                    try {
                        return Long.parseUnsignedLong(line.substring(7).strip(), 16);
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }

    private static boolean has(long caps, int cap) {
        return (caps & (1L << cap)) != 0;
    }

    private void checkCapabilities() {
        long caps = effectiveCapabilities();
        if (caps < 0) {
            add(Level.WARN, "capabilities", "cannot read CapEff from /proc/self/status", "");
            return;
        }
        List<String> missing = new ArrayList<>();
        if (!has(caps, CAP_NET_ADMIN)) {
            missing.add("CAP_NET_ADMIN");
        }
        if (!has(caps, CAP_NET_RAW)) {
            missing.add("CAP_NET_RAW");
        }
        if (hub() && !has(caps, CAP_BPF) && !has(caps, 21 /* CAP_SYS_ADMIN */)) {
            missing.add("CAP_BPF");
        }
        if (missing.isEmpty()) {
            add(Level.OK, "capabilities", "CAP_NET_ADMIN, CAP_NET_RAW" + (hub() ? ", CAP_BPF" : "") + " present", "");
        } else {
            add(Level.FAIL, "capabilities", "missing " + String.join(", ", missing),
                    "run as root or from the systemd unit (AmbientCapabilities=)");
        }
    }

    private void checkMemlock() {
        Optional<String> limits = text("/proc/self/limits");
        String soft = null;
        if (limits.isPresent()) {
            for (String line : limits.get().lines().toList()) {
                if (line.startsWith("Max locked memory")) {
                    String[] f = line.substring("Max locked memory".length()).strip().split("\\s+", -1);
                    soft = f.length > 0 ? f[0] : null;
                }
            }
        }
        if (soft == null) {
            add(Level.WARN, "memlock", "cannot read 'Max locked memory' from /proc/self/limits", "");
        } else if ("unlimited".equals(soft)) {
            add(Level.OK, "memlock", "unlimited", "");
        } else {
            long bytes = parseLong(soft);
            long caps = effectiveCapabilities();
            if (caps >= 0 && has(caps, CAP_IPC_LOCK)) {
                add(Level.OK, "memlock", soft + " bytes, but CAP_IPC_LOCK lifts the limit", "");
            } else if (hub() && bytes < UMEM_BYTES) {
                add(Level.FAIL, "memlock", soft + " bytes: the hub's " + (UMEM_BYTES >> 20)
                        + " MB UMEM will not register (ENOBUFS)",
                        "LimitMEMLOCK=infinity in the unit, or ulimit -l unlimited");
            } else {
                add(Level.WARN, "memlock", soft + " bytes", "LimitMEMLOCK=infinity in the unit");
            }
        }
    }

    private void checkOptmem() {
        Optional<String> optmem = text("/proc/sys/net/core/optmem_max");
        if (optmem.isEmpty()) {
            add(Level.WARN, "optmem_max", "cannot read /proc/sys/net/core/optmem_max", "");
            return;
        }
        long value = parseLong(optmem.get().strip());
        if (value >= OPTMEM_RECOMMENDED) {
            add(Level.OK, "optmem_max", value + " bytes", "");
        } else {
            add(Level.WARN, "optmem_max", value + " bytes (recommended " + OPTMEM_RECOMMENDED + " for socket buffers)",
                    "sysctl -w net.core.optmem_max=" + OPTMEM_RECOMMENDED);
        }
    }

    private void checkHugepages() {
        if (!hub()) {
            return;
        }
        Optional<String> meminfo = text("/proc/meminfo");
        long free = -1;
        long size = -1;
        if (meminfo.isPresent()) {
            for (String line : meminfo.get().lines().toList()) {
                if (line.startsWith("HugePages_Free:")) {
                    free = parseLong(line.substring(15).strip());
                } else if (line.startsWith("Hugepagesize:")) {
                    size = parseLong(line.substring(13).strip().split("\\s+", -1)[0]) * 1024;
                }
            }
        }
        if (free < 0 || size <= 0) {
            add(Level.WARN, "hugepages", "cannot read HugePages_Free / Hugepagesize from /proc/meminfo", "");
        } else if (free * size >= UMEM_BYTES) {
            add(Level.OK, "hugepages", free + " free x " + (size >> 10) + " kB: UMEM on hugepages", "");
        } else {
            long needed = (UMEM_BYTES + size - 1) / size;
            add(Level.WARN, "hugepages", free + " free: the UMEM falls back to normal pages (slower TLB)",
                    "echo " + needed + " > /proc/sys/vm/nr_hugepages");
        }
    }

    private void checkTunDevice() {
        if (host.exists("/dev/net/tun")) {
            add(Level.OK, "/dev/net/tun", "present", "");
        } else {
            add(Level.FAIL, "/dev/net/tun", "missing", "modprobe tun (and mknod /dev/net/tun c 10 200 in containers)");
        }
    }

    private void checkCommands() {
        for (String[] cmd : new String[][] {{"ip", "-V"}, {"iptables", "--version"}}) {
            Optional<String> out = host.run(cmd);
            if (out.isPresent()) {
                add(Level.OK, cmd[0], out.get().strip().lines().findFirst().orElse(""), "");
            } else {
                add(Level.FAIL, cmd[0], "not found or not runnable (routes and NAT are set with it)",
                        "apt-get install " + ("ip".equals(cmd[0]) ? "iproute2" : "iptables"));
            }
        }
    }

    private void checkNativeLibrary() {
        if (!host.nativeLibraryAvailable()) {
            add(Level.FAIL, "native library", host.nativeLibraryProblem(), "./m13 build");
            return;
        }
        add(Level.OK, "native library", "libm13.so loaded", "");
        // Runtime probes: what the kernel config says is one thing, what it allows is another.
        if (hub()) {
            probe("XDP program", host.xdpProblem(), "steering object loads", "./m13 build; check CONFIG_BPF_SYSCALL");
        }
        if (node()) {
            probe("io_uring", host.ioUringProblem(), "ring with provided buffers created and closed",
                    "kernel 6.0+, kernel.io_uring_disabled=0, no seccomp filter blocking io_uring");
        }
    }

    private void probe(String check, String problem, String ok, String fix) {
        if (problem == null) {
            add(Level.OK, check, ok, "");
        } else {
            add(Level.FAIL, check, problem, fix);
        }
    }

    private void checkInterface() {
        String sys = "/sys/class/net/" + iface;
        if (!host.exists(sys)) {
            add(Level.FAIL, "interface " + iface, "does not exist", "name an interface from `ip link`");
            return;
        }
        long rxQueues = host.list(sys + "/queues").stream().filter(q -> q.startsWith("rx-")).count();
        if (hub() && rxQueues > 1) {
            add(Level.WARN, iface + " queues", rxQueues + " RX queues: an AF_XDP socket bound to queue 0 misses "
                    + "traffic hashed to the others", "ethtool -L " + iface + " combined 1");
        } else {
            add(Level.OK, iface + " queues", rxQueues + " RX queue" + (rxQueues == 1 ? "" : "s"), "");
        }
        Optional<String> mtu = text(sys + "/mtu");
        if (mtu.isPresent() && parseLong(mtu.get().strip()) > 3498 && hub()) {
            add(Level.WARN, iface + " mtu", mtu.get().strip() + ": native XDP refuses MTUs above ~3.5 KB; "
                    + "generic mode is used", "ip link set " + iface + " mtu 1500");
        }
        Optional<String> offloads = host.run("ethtool", "-k", iface);
        if (offloads.isEmpty()) {
            add(Level.WARN, iface + " offloads", "ethtool -k " + iface + " failed; offloads not checked",
                    "apt-get install ethtool");
        } else if (hub() && offloads.get().toLowerCase(Locale.ROOT).contains("rx-vlan-offload: on")) {
            add(Level.WARN, iface + " offloads", "rx-vlan-offload on: VLAN tags are stripped before XDP sees them",
                    "ethtool -K " + iface + " rxvlan off");
        } else {
            add(Level.OK, iface + " offloads", "no offload in the way of XDP", "");
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The real host: files from the root file system, commands from PATH. */
    public static Host realHost() {
        return new Host() {
            @Override
            public Optional<byte[]> read(String path) {
                // Not Files.readAllBytes: it reads /proc/sys files one byte short of whole
                // (a first 1-byte read, then EOF at offset 1). One stream read gets it all.
                try (InputStream in = Files.newInputStream(Path.of(path))) {
                    return Optional.of(in.readAllBytes());
                } catch (IOException | SecurityException e) {
                    return Optional.empty();
                }
            }

            @Override
            public boolean exists(String path) {
                return Files.exists(Path.of(path));
            }

            @Override
            public List<String> list(String path) {
                try (var entries = Files.list(Path.of(path))) {
                    return entries.map(p -> p.getFileName().toString()).sorted().toList();
                } catch (IOException e) {
                    return List.of();
                }
            }

            @Override
            public Optional<String> run(String... command) {
                try {
                    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    return p.waitFor() == 0 ? Optional.of(out) : Optional.empty();
                } catch (IOException e) {
                    return Optional.empty();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }

            @Override
            public String kernelRelease() {
                return System.getProperty("os.version");
            }

            @Override
            public boolean nativeLibraryAvailable() {
                return org.m13.sys.Native.isAvailable();
            }

            @Override
            public String nativeLibraryProblem() {
                return org.m13.sys.Native.unavailabilityCause();
            }

            @Override
            public String xdpProblem() {
                return org.m13.sys.XdpProgram.unavailabilityCause();
            }

            @Override
            public String ioUringProblem() {
                return org.m13.sys.IoUring.unavailabilityCause();
            }
        };
    }
}
