package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.m13.telemetry.DropReason;

/**
 * The hub and node data paths in one JVM, wired as the daemons wire them on the compact
 * topology, over in-memory link and TUN backends (no root): the node's TUN generates
 * tunnel packets, the node seals them, the link carries them, the hub opens them and
 * writes them to its TUN, which answers each (source and destination swapped), and the
 * answers travel back to the node's TUN, which checks their order.
 */
class InMemoryTunnelTest {
    private static final int NODE_IP = 0x0A0D_0002; // 10.13.0.2
    private static final int INTERNET = 0xCB00_7102; // 203.0.113.2
    private static final long NODE_MAC = 0x0200_0000_0002L;
    private static final long HUB_MAC = 0x0200_0000_0001L;
    private static final long NODE_ADDRESS = Outer.address(0xC633_6402, 40000); // 198.51.100.2:40000
    private static final long HUB_ADDRESS = Outer.address(0xC633_6401, 443);

    private static byte[] key(int fill) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) fill);
        return k;
    }

    record Run(PipelineSide node, PipelineSide hub, MemoryLink link, MemoryTun nodeTun, MemoryTun hubTun)
            implements AutoCloseable {
        @Override
        public void close() {
            node.close();
            hub.close();
        }
    }

    private static Run run(long packets, MemoryLink.Impairment nodeToHub) throws Exception {
        return run(packets, nodeToHub, null, null);
    }

    /**
     * With {@code writer}: the hub counts per peer in it, as the daemon does; with
     * {@code fec}: FEC and feedback on both sides, as the daemons run them.
     */
    static Run run(long packets, MemoryLink.Impairment nodeToHub, org.m13.telemetry.TelemetryWriter writer,
            org.m13.config.FecSettings fec) throws Exception {
        MemoryLink link = new MemoryLink(4096, NODE_ADDRESS, HUB_ADDRESS);
        link.a().impair(nodeToHub);
        MemoryTun nodeTun = new MemoryTun(NODE_IP, INTERNET, packets, 200, false);
        MemoryTun hubTun = new MemoryTun(0, 0, 0, 200, true);
        PipelineSide node = new PipelineSide(false, PipelineSide.COMPACT, link.a(), nodeTun, NODE_MAC, fec);
        PipelineSide hub = new PipelineSide(true, PipelineSide.COMPACT, link.b(), hubTun, HUB_MAC, fec);
        node.peers.mac(0, HUB_MAC);
        node.session(0, key(1), key(2));
        int peer = hub.peers.add(NODE_MAC, NODE_ADDRESS);
        hub.peers.tunnelAddress(peer, NODE_IP);
        hub.session(peer, key(2), key(1));
        if (writer != null) {
            PeerTelemetry perPeer = new PeerTelemetry(writer, hub.peers.capacity());
            if (hub.feedbackOut != null) {
                hub.feedbackOut.chain(perPeer.rxObserver());
            } else {
                hub.rxRelease.observe(perPeer.rxObserver());
            }
            hub.txRelease.observe(perPeer.txObserver());
            perPeer.bind(peer, "node");
        }
        hub.start();
        node.start();
        return new Run(node, hub, link, nodeTun, hubTun);
    }

    static void await(LongSupplier value, long target, long timeoutSeconds, Run r) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (value.getAsLong() < target) {
            assertTrue(System.nanoTime() < deadline, "stalled at " + value.getAsLong() + " of " + target
                    + "; node rx drops " + r.node().rxRelease.drops() + ", hub rx drops " + r.hub().rxRelease.drops());
            Thread.sleep(5);
        }
    }

    /**
     * Waits until every ring of both sides has processed all it was given, and stays so
     * for 100 ms: a datagram between the link and a poller is in no ring, and the
     * feedback a last frame triggers makes new events after a first quiet moment.
     */
    static void awaitDrained(Run r) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            if (!(r.node().drained() && r.hub().drained())) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > TimeUnit.MILLISECONDS.toNanos(100)) {
                return;
            }
            Thread.sleep(5);
        }
    }

    static long allocated(List<Thread> threads) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : threads) {
            long b = mx.getThreadAllocatedBytes(t.getId());
            sum += Math.max(0, b);
        }
        return sum;
    }

    @Test
    void aMillionPacketsGoNodeToHubAndBackWithoutLossLeakOrAllocation(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        long packets = 1_000_000;
        java.nio.file.Path file = dir.resolve("hub.telemetry");
        try (org.m13.telemetry.TelemetryWriter writer = org.m13.telemetry.TelemetryWriter.create(file, 64);
                Run r = run(packets, MemoryLink.Impairment.NONE, writer, org.m13.config.FecSettings.defaults())) {
            List<Thread> threads = new java.util.ArrayList<>(r.node().threads);
            threads.addAll(r.hub().threads);
            await(r.nodeTun()::received, 200_000, 120, r); // warm-up: JIT, first batches
            long bytesBefore = allocated(threads);
            long receivedBefore = r.nodeTun().received();
            long start = System.nanoTime();
            await(r.nodeTun()::received, packets, 300, r);
            long nanos = System.nanoTime() - start;
            awaitDrained(r);
            long perPacketTimes1000 = (allocated(threads) - bytesBefore) * 1000 / (packets - receivedBefore);

            assertEquals(packets, r.nodeTun().received(), "every packet came back");
            assertEquals(packets, r.hubTun().echoed(), "and passed the hub's TUN once");
            assertEquals(0, r.nodeTun().outOfOrder(), "in order");
            for (PipelineSide side : List.of(r.node(), r.hub())) {
                assertEquals(0, side.rxRelease.drops().total(), (side.hub ? "hub" : "node") + " rx drops "
                        + side.rxRelease.drops());
                assertEquals(0, side.txRelease.drops().total(), "tx drops " + side.txRelease.drops());
                assertEquals(0, side.tunReader.noPeer() + side.tunReader.notIpv4());
                PipelineSide other = side.hub ? r.node() : r.hub();
                assertEquals(packets + other.feedbackOut.sent() + other.fecOut.repairs(), side.decrypt.opened(),
                        "tunnel packets, reports and the first generations' repairs");
                assertTrue(side.feedbackOut.sent() >= packets / 64, "reports flowed: " + side.feedbackOut.sent() + " sent, "
                        + side.feedbackOut.skipped() + " skipped (TX ring full)");
                assertEquals(packets, side.fecOut.sources(), "every packet a source symbol");
                assertEquals(side.fecOut.probeRepairs(), side.fecOut.repairs(),
                        "a clean link carries no repair once the first report said so");
                assertEquals(0, side.tunWriter.recovered());
                assertTrue(side.linkFeedback.reports(0) > 0, "the peer reported");
                // slot accounting: only the slot each idle producer holds for its next read is in use
                assertEquals(1, side.rxPool.inUse(), "RX: the link poller's next slot");
                assertEquals(1 + (side.feedbackOut.holdsSlot() ? 1 : 0), side.txPool.inUse(),
                        "TX: the tun reader's next slot (and one kept for the next report after a full ring)");
                assertEquals(side.rxPool.allocations(), side.rxPool.frees() + 1);
            }
            // With the receiver's clock for both times (no send time in the frame) the estimate is exactly 0;
            // at the very end a burst stamped and delivered within one microsecond may decay one side's to 0.
            assertTrue(r.node().linkFeedback.jitterMicros(0) + r.hub().linkFeedback.jitterMicros(0) > 0,
                    "the reports carry an RFC 3550 jitter over the frames' send times");
            System.out.printf("in-memory round trips: %d packets, %.0f k/s, %.3f bytes allocated per packet%n",
                    packets - receivedBefore, (packets - receivedBefore) * 1e6 / nanos, perPacketTimes1000 / 1000.0);
            try (org.m13.telemetry.TelemetryReader reader = org.m13.telemetry.TelemetryReader.open(file)) {
                var records = reader.snapshot().records();
                long rxPackets = records.stream().filter(x -> x.name().equals("node/rx"))
                        .mapToLong(x -> x.get(org.m13.telemetry.PeerCounter.RX_PACKETS)).sum();
                long txPackets = records.stream().filter(x -> x.name().equals("node/tx"))
                        .mapToLong(x -> x.get(org.m13.telemetry.PeerCounter.TX_PACKETS)).sum();
                assertEquals(r.hub().decrypt.opened(), rxPackets, "per-peer record: every frame from the node");
                assertEquals(packets + r.hub().feedbackOut.sent() + r.hub().fecOut.repairs(), txPackets,
                        "per-peer record: every frame to the node");
            }
            assertTrue(perPacketTimes1000 <= 100, "allocated " + perPacketTimes1000 / 1000.0
                    + " bytes per packet (all pipeline threads of both sides) in steady state");
        }
    }

    @Test
    void theWiringDumpAndTheMonitorShowARunningInJvmPipeline(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("hub.telemetry");
        MemoryLink link = new MemoryLink(4096, NODE_ADDRESS, HUB_ADDRESS);
        MemoryTun nodeTun = new MemoryTun(NODE_IP, INTERNET, 20_000, 200, false);
        MemoryTun hubTun = new MemoryTun(0, 0, 0, 200, true);
        try (PipelineSide node = new PipelineSide(false, PipelineSide.COMPACT, link.a(), nodeTun, NODE_MAC);
                PipelineSide hub = new PipelineSide(true, PipelineSide.COMPACT, link.b(), hubTun, HUB_MAC);
                org.m13.telemetry.TelemetryWriter writer = DaemonTelemetry.open(file, hub.rings)) {
            String wiring = hub.ring("rx").describe() + hub.ring("tx").describe();
            assertTrue(wiring.contains("parse -> decrypt -> classify -> scatter -> release"), wiring);
            assertTrue(wiring.contains("seal -> link-tx -> tx-release"), wiring);
            node.peers.mac(0, HUB_MAC);
            node.session(0, key(1), key(2));
            int peer = hub.peers.add(NODE_MAC, NODE_ADDRESS);
            hub.peers.tunnelAddress(peer, NODE_IP);
            hub.session(peer, key(2), key(1));
            hub.start();
            node.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (nodeTun.received() < 20_000 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            hub.stop(); // each ring thread publishes its last counts as it stops
            assertEquals(file, writer.path());
            try (org.m13.telemetry.TelemetryReader reader = org.m13.telemetry.TelemetryReader.open(file)) {
                org.m13.telemetry.TelemetrySnapshot snap = reader.snapshot();
                String table = org.m13.telemetry.MonitorView.render(file, null, snap, snap.writerStatus(),
                        System.currentTimeMillis());
                assertTrue(table.contains("writer alive"), table);
                assertTrue(table.contains("rx/decrypt") && table.contains("tx/seal"), table);
                long opened = snap.records().stream().filter(rec -> rec.name().equals("rx/decrypt"))
                        .mapToLong(rec -> rec.get(org.m13.telemetry.StageCounter.EVENTS)).sum();
                assertEquals(20_000, opened, table);
            }
        }
    }

    @Test
    void lossDuplicationAndReorderingAreCountedAndTheReplayWindowHolds() throws Exception {
        int packets = 100_000;
        MemoryLink.Fate[] fates = new MemoryLink.Fate[packets];
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < packets; i++) {
            int x = random.nextInt(1000);
            fates[i] = x < 10 ? MemoryLink.Fate.DROP : x < 20 ? MemoryLink.Fate.DUPLICATE
                    : x < 30 ? MemoryLink.Fate.DELAY_ONE : MemoryLink.Fate.DELIVER;
        }
        fates[packets - 1] = MemoryLink.Fate.DELIVER; // so a held datagram always goes out
        try (Run r = run(packets, n -> n < fates.length ? fates[(int) n] : MemoryLink.Fate.DELIVER)) {
            MemoryLink.Endpoint nodeEnd = r.link().a();
            long expected = packets - countOf(fates, MemoryLink.Fate.DROP);
            await(r.nodeTun()::received, expected, 120, r);
            awaitDrained(r);
            Thread.sleep(200);
            assertEquals(expected, r.nodeTun().received(), "every packet not lost came back exactly once");
            assertEquals(countOf(fates, MemoryLink.Fate.DROP), nodeEnd.dropped());
            PipelineSide hub = r.hub();
            assertEquals(nodeEnd.duplicated(), hub.rxRelease.drops(DropReason.REPLAY_DUPLICATE),
                    "each duplicate refused by the replay window, counted by reason");
            assertEquals(0, hub.rxRelease.drops(DropReason.REPLAY_TOO_OLD), "reordering by one is well inside the window");
            assertEquals(nodeEnd.duplicated(), hub.rxRelease.drops().total(), "and no other drop: " + hub.rxRelease.drops());
            assertEquals(nodeEnd.delayed(), r.nodeTun().outOfOrder(), "each reordered packet arrives late, once");
            assertTrue(nodeEnd.delayed() > 500 && nodeEnd.duplicated() > 500, "the impairments happened");
        }
    }

    private static long countOf(MemoryLink.Fate[] fates, MemoryLink.Fate fate) {
        long n = 0;
        for (MemoryLink.Fate f : fates) {
            if (f == fate) {
                n++;
            }
        }
        return n;
    }
}
