package org.m13.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the native data path can use on this machine, one line per facility, for
 * {@code m13 doctor} and for test logs. Every probe is the one the facility's own
 * {@code unavailabilityCause()} runs; nothing here changes the system.
 */
public final class NativeSupport {
    private NativeSupport() {
    }

    public static List<String> report() {
        List<String> lines = new ArrayList<>();
        lines.add(line("JNI library", Native.unavailabilityCause(), System.getProperty(Native.LIBRARY_PROPERTY)));
        lines.add(line("XDP steering object", XdpProgram.unavailabilityCause(), XdpProgram.objectPath().toString()));
        lines.add(line("io_uring (provided buffer ring)", IoUring.unavailabilityCause(), "ring created and closed"));
        Path tun = Path.of("/dev/net/tun");
        lines.add(line("TUN", Files.exists(tun) ? null : tun + " is missing", tun.toString()));
        lines.add("hugepages: " + meminfo("HugePages_Free:") + " free of " + meminfo("HugePages_Total:") + " ("
                + meminfo("Hugepagesize:") + " each); without free ones the AF_XDP UMEM uses normal pages");
        lines.add("effective uid: " + status("Uid:") + " (TUN, XDP and namespaces need root or CAP_NET_ADMIN)");
        return lines;
    }

    private static String line(String facility, String cause, String detail) {
        return facility + ": " + (cause == null ? "available (" + detail + ")" : "UNAVAILABLE: " + cause);
    }

    /** The value after {@code key} in /proc/meminfo ("0", "2048 kB"), or "?". */
    private static String meminfo(String key) {
        String value = value(Path.of("/proc/meminfo"), key);
        return value == null ? "?" : value;
    }

    /** The effective uid: the second of the four numbers on the Uid line of /proc/self/status. */
    private static String status(String key) {
        String value = value(Path.of("/proc/self/status"), key);
        if (value == null) {
            return "?";
        }
        String[] uids = value.split("\\s+", -1);
        return uids.length > 1 ? uids[1] : "?";
    }

    private static String value(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                if (line.startsWith(key)) {
                    return line.substring(key.length()).strip();
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    public static void main(String[] args) {
        report().forEach(System.out::println);
    }
}
