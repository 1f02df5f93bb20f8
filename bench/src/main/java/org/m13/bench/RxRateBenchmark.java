package org.m13.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.m13.sys.IoUring;
import org.m13.sys.Netns;
import org.m13.sys.OffHeap;
import org.m13.sys.UdpSocket;
import org.m13.sys.XdpProgram;
import org.m13.sys.XdpSocket;

/**
 * Received packets per second on a veth pair between two network namespaces, for a
 * plain UDP socket (recvmmsg), io_uring multishot recv with a provided buffer ring,
 * and AF_XDP (copy mode, steering program attached in native mode), at 64- and
 * 1400-byte UDP payloads. One sendmmsg sender in the peer namespace, one busy-polling
 * receiver in the hub namespace; on veth the receive path runs on the sender's CPU,
 * so the figures show whether each receiver keeps up with the sender, not its ceiling.
 *
 * <p>Not a test: needs root; run with {@code -Dm13.native.library} and
 * {@code -Dm13.native.bpf}; arguments: seconds per run (default 3) and the results
 * directory (default bench/results). Writes rx-rates.md there.
 */
public final class RxRateBenchmark {
    private static final String HUB_IP = "192.0.2.1";
    private static final String PEER_IP = "192.0.2.2";
    private static final int PORT = 443;
    private static final int[] PAYLOADS = {64, 1400};
    private static final long WARMUP_MILLIS = 500;

    enum Receiver {
        UDP_RECVMMSG, IO_URING_MULTISHOT, AF_XDP
    }

    record Result(Receiver receiver, int payload, double sentPps, double receivedPps, String note) {
        double lossPercent() {
            return sentPps == 0 ? 0 : Math.max(0, 100 * (1 - receivedPps / sentPps));
        }
    }

    private RxRateBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path results = Path.of(args.length > 1 ? args[1] : "bench/results");
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();
        List<Result> all = new ArrayList<>();
        // Repeats outermost, so that load from other processes spreads over all receivers.
        for (int round = 0; round < repeats; round++) {
            for (int payload : PAYLOADS) {
                for (Receiver receiver : Receiver.values()) {
                    Result r = run(receiver, payload, seconds);
                    System.out.printf(Locale.ROOT,
                            "%-20s %5d B  sent %,10.0f pps  received %,10.0f pps  loss %5.1f %%  %s%n",
                            r.receiver(), r.payload(), r.sentPps(), r.receivedPps(), r.lossPercent(), r.note());
                    all.add(r);
                }
            }
        }
        Files.createDirectories(results);
        Path out = results.resolve("rx-rates.md");
        Files.writeString(out, report(all, seconds, repeats, loadBefore), StandardCharsets.UTF_8);
        System.out.println("written " + out.toAbsolutePath());
    }

    private static String report(List<Result> all, int seconds, int repeats, String loadBefore)
            throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("# Receive rates on a veth pair\n\n");
        b.append("RxRateBenchmark, ").append(Instant.now()).append(", kernel ")
                .append(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ").append(seconds)
                .append(" s per run after ").append(WARMUP_MILLIS).append(" ms warm-up, ").append(repeats)
                .append(" rounds.\nLoad average before / after: ").append(loadBefore).append(" / ")
                .append(Files.readString(Path.of("/proc/loadavg")).strip())
                .append(" (the machine is shared: read the spread, not one figure).\n");
        b.append("One sendmmsg sender (peer namespace) and one busy-polling receiver (hub namespace);\n");
        b.append("on veth the receive path runs on the sender's CPU, so these show each receiver\n");
        b.append("keeping up with the sender, not its ceiling. AF_XDP: copy mode (veth has no zero-copy).\n\n");
        b.append("| receiver | UDP payload | received pps, median | min .. max | median loss |\n");
        b.append("|---|---:|---:|---:|---:|\n");
        for (int payload : PAYLOADS) {
            for (Receiver receiver : Receiver.values()) {
                List<Result> runs = all.stream().filter(r -> r.receiver() == receiver && r.payload() == payload)
                        .sorted(java.util.Comparator.comparingDouble(Result::receivedPps)).toList();
                Result median = runs.get(runs.size() / 2);
                b.append(String.format(Locale.ROOT, "| %s | %d B | %.0f | %.0f .. %.0f | %.1f %% |%n", receiver,
                        payload, median.receivedPps(), runs.get(0).receivedPps(),
                        runs.get(runs.size() - 1).receivedPps(), median.lossPercent()));
            }
        }
        b.append("\nEvery run (sent pps / received pps; notes):\n\n");
        for (Result r : all) {
            b.append(String.format(Locale.ROOT, "- %s %d B: %.0f / %.0f%s%n", r.receiver(), r.payload(), r.sentPps(),
                    r.receivedPps(), r.note().isEmpty() ? "" : "; " + r.note()));
        }
        return b.toString();
    }

    private static Result run(Receiver receiver, int payload, int seconds) throws Exception {
        String tag = Long.toHexString(System.nanoTime() & 0xFFFFFF);
        String hub = "m13b-" + tag + "-hub";
        String peer = "m13b-" + tag + "-peer";
        String hubLink = "m13b" + tag + "h";
        String peerLink = "m13b" + tag + "p";
        List<String> created = new ArrayList<>();
        try {
            ip("netns", "add", hub);
            created.add(hub);
            ip("netns", "add", peer);
            created.add(peer);
            ip("link", "add", hubLink, "numtxqueues", "1", "numrxqueues", "1", "netns", hub, "type", "veth", "peer",
                    "name", peerLink, "numtxqueues", "1", "numrxqueues", "1", "netns", peer);
            ip("-n", hub, "link", "set", hubLink, "up");
            ip("-n", peer, "link", "set", peerLink, "up");
            ip("-n", hub, "addr", "add", HUB_IP + "/24", "dev", hubLink);
            ip("-n", peer, "addr", "add", PEER_IP + "/24", "dev", peerLink);
            return measure(receiver, payload, seconds, hub, peer, hubLink);
        } finally {
            for (int i = created.size() - 1; i >= 0; i--) {
                ip("netns", "delete", created.get(i));
            }
        }
    }

    private static Result measure(Receiver kind, int payload, int seconds, String hub, String peer, String hubLink)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<String> note = new AtomicReference<>("");
        CountDownLatch ready = new CountDownLatch(1);
        Thread receiver = new Thread(() -> {
            try {
                Netns.enter(hub);
                note.set(receive(kind, hubLink, stop, received, ready));
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                ready.countDown();
            }
        }, "rx-" + kind);
        Thread sender = new Thread(() -> {
            try {
                Netns.enter(peer);
                send(payload, stop, sent);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "tx");
        receiver.start();
        if (!ready.await(10, TimeUnit.SECONDS) || failure.get() != null) {
            stop.set(true);
            receiver.join(5000);
            throw new IllegalStateException(kind + " receiver did not start", failure.get());
        }
        sender.start();
        Thread.sleep(WARMUP_MILLIS);
        long sent0 = sent.get();
        long received0 = received.get();
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long elapsed = System.nanoTime() - start;
        long sent1 = sent.get();
        long received1 = received.get();
        stop.set(true);
        sender.join(5000);
        receiver.join(5000);
        if (failure.get() != null) {
            throw new IllegalStateException(kind + " failed", failure.get());
        }
        double scale = 1e9 / elapsed;
        return new Result(kind, payload, (sent1 - sent0) * scale, (received1 - received0) * scale, note.get());
    }

    private static void send(int payload, AtomicBoolean stop, AtomicLong sent) {
        try (UdpSocket socket = UdpSocket.open(new InetSocketAddress(PEER_IP, 5000),
                new InetSocketAddress(HUB_IP, PORT), 0)) {
            OffHeap datagram = OffHeap.allocate(payload);
            while (!stop.get()) {
                int n = socket.sendBatch(datagram.address(), payload, UdpSocket.MAX_BATCH);
                if (n > 0) {
                    sent.addAndGet(n);
                } else if (n < 0 && n != -105) { // -ENOBUFS: the qdisc is full, try again
                    throw new IllegalStateException("sendmmsg failed: " + n);
                }
            }
        }
    }

    /** Runs one receiver until stopped; returns a note on drops it saw (AF_XDP statistics). */
    private static String receive(Receiver kind, String hubLink, AtomicBoolean stop, AtomicLong received,
            CountDownLatch ready) {
        InetSocketAddress local = new InetSocketAddress(HUB_IP, PORT);
        InetSocketAddress remote = new InetSocketAddress(PEER_IP, 5000);
        switch (kind) {
            case UDP_RECVMMSG -> {
                try (UdpSocket socket = UdpSocket.open(local, remote, 8 << 20)) {
                    OffHeap slots = OffHeap.allocate(UdpSocket.MAX_BATCH * 2048);
                    ready.countDown();
                    while (!stop.get()) {
                        int n = socket.receiveBatch(slots.address(), 2048, UdpSocket.MAX_BATCH);
                        if (n > 0) {
                            received.addAndGet(n);
                        }
                    }
                }
                return "";
            }
            case IO_URING_MULTISHOT -> {
                try (UdpSocket socket = UdpSocket.open(local, remote, 8 << 20);
                        IoUring ring = IoUring.create(new IoUring.Config(256, 4096, 2048, false, 0, true))) {
                    long[] tags = new long[256];
                    int[] results = new int[256];
                    int[] flags = new int[256];
                    int[] ids = new int[256];
                    int rearms = 0;
                    check(ring.recvMultishot(socket.fd(), 1));
                    check(ring.submit());
                    ready.countDown();
                    while (!stop.get()) {
                        int n = ring.complete(tags, results, flags, tags.length);
                        int r = 0;
                        boolean rearm = false;
                        for (int i = 0; i < n; i++) {
                            if (results[i] > 0) {
                                ids[r++] = IoUring.bufferId(flags[i]);
                            }
                            rearm |= (flags[i] & IoUring.F_MORE) == 0;
                        }
                        if (r > 0) {
                            check(ring.recycle(ids, r));
                            received.addAndGet(r);
                        }
                        if (rearm) {
                            rearms++;
                            check(ring.recvMultishot(socket.fd(), 1));
                            check(ring.submit());
                        }
                    }
                    return rearms + " re-arms";
                }
            }
            case AF_XDP -> {
                try (XdpProgram program = XdpProgram.attach(hubLink, PORT, XdpProgram.Mode.NATIVE);
                        XdpSocket socket = XdpSocket.open(hubLink, 0, program, XdpSocket.Config.defaults())) {
                    long[] addresses = new long[XdpSocket.MAX_BATCH];
                    int[] lengths = new int[XdpSocket.MAX_BATCH];
                    ready.countDown();
                    while (!stop.get()) {
                        int n = check(socket.receive(addresses, lengths, addresses.length));
                        if (n > 0) {
                            check(socket.fill(addresses, n));
                            received.addAndGet(n);
                        }
                    }
                    XdpSocket.Statistics st = socket.statistics();
                    return "XDP_STATISTICS rx_dropped " + st.rxDropped() + ", rx_ring_full " + st.rxRingFull()
                            + ", fill_ring_empty " + st.fillRingEmpty();
                }
            }
            default -> throw new IllegalArgumentException(kind.toString());
        }
    }

    private static int check(int result) {
        if (result < 0) {
            throw new IllegalStateException("native call failed: errno " + -result);
        }
        return result;
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
