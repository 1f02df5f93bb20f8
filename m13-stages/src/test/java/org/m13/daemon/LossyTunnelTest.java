package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.m13.config.FecSettings;
import org.m13.linkem.BernoulliLoss;
import org.m13.linkem.GilbertElliott;
import org.m13.linkem.GilbertElliottLoss;
import org.m13.telemetry.DropReason;

/**
 * FEC and feedback on the daemons' data path (the in-memory tunnel of
 * {@link InMemoryTunnelTest}, FEC on as the daemons run it): the node's datagrams to the
 * hub are lost at random or in bursts (seeded), the hub reports what arrives, the node
 * adapts k and m to the reports and sends repairs, the hub rebuilds the lost packets;
 * every packet that reaches the hub's TUN comes back to the node over the clean return
 * path. Residual loss = packets generated and never back, after a warm-up of the first
 * {@value #WARM_UP} packets: the node cannot know the loss before the hub's first
 * reports, and in memory thousands of packets are in flight (rings, link queue) by
 * then. The whole run, warm-up included, is bounded too.
 */
class LossyTunnelTest {
    private static final int PACKETS = 200_000;
    private static final int WARM_UP = 20_000;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // scenario,     p,     r,   residual bound (fraction of packets)
        "random 1 %,     0.01,  0,   0.0001",
        "random 2 %,     0.02,  0,   0.0001",
        "random 5 %,     0.05,  0,   0.001",
        "random 10 % (looser bound), 0.10, 0, 0.01",
        // Gilbert-Elliott: Good->Bad 1 %, Bad->Good 30 %, half the Bad frames lost (mean burst ~1.4):
        // FEC sized by the mean burst covers part of it only (docs/FEC.md §10), so the bound is
        // half the link's loss
        "bursty (Gilbert-Elliott), 0.01, 0.30, -1",
    })
    void fecHidesTheLinksLossFromTheTunnel(String scenario, double p, double r, double bound) throws Exception {
        int datagrams = PACKETS * 2; // sources, repairs and reports
        boolean[] lost = new boolean[datagrams];
        SplittableRandom random = new SplittableRandom(scenario.hashCode());
        if (r > 0) {
            GilbertElliottLoss ge = new GilbertElliottLoss(new GilbertElliott(p, r, 0, 0.5), random);
            for (int i = 0; i < datagrams; i++) {
                lost[i] = ge.lose();
            }
        } else {
            BernoulliLoss loss = new BernoulliLoss(p, random);
            for (int i = 0; i < datagrams; i++) {
                lost[i] = loss.lose();
            }
        }
        MemoryLink.Impairment impairment = n -> n < lost.length && lost[(int) n] ? MemoryLink.Fate.DROP
                : MemoryLink.Fate.DELIVER;
        try (InMemoryTunnelTest.Run run = InMemoryTunnelTest.run(PACKETS, impairment, null, FecSettings.defaults())) {
            InMemoryTunnelTest.await(run.nodeTun()::generated, PACKETS, 120, run);
            awaitQuiet(run);
            PipelineSide node = run.node();
            PipelineSide hub = run.hub();
            long datagramsSent = run.link().a().dropped() + hub.decrypt.opened(); // lost + arrived
            double linkLoss = (double) run.link().a().dropped() / datagramsSent;
            long missing = PACKETS - run.nodeTun().received();
            long missingAfterWarmUp = run.nodeTun().missingFrom(WARM_UP);
            double residual = (double) missingAfterWarmUp / (PACKETS - WARM_UP);
            double overhead = (double) node.fecOut.repairs() / node.fecOut.sources();
            System.out.printf("%s: link loss %.3f %%, residual %.4f %% (%d of %d after warm-up, %d in all), repaired %d, unrecoverable %d,"
                    + " repair overhead %.1f %%, last k %d m %d, reports %d, without repair %d%n", scenario, linkLoss * 100,
                    residual * 100, missingAfterWarmUp, PACKETS - WARM_UP, missing, hub.tunWriter.recovered(), hub.tunWriter.fec().unrecoverable(),
                    overhead * 100, node.fecOut.lastK(), node.fecOut.lastM(), hub.feedbackOut.sent(),
                    hub.tunWriter.fec().closedWithoutRepair());
            TunReorder order = hub.tunWriter.reorder();
            System.out.printf("%s: order: %d out of order at the end (of %d back), hub held %d behind gaps, %d late, %d positions"
                    + " given up, %d store full, %d still held%n", scenario, run.nodeTun().outOfOrder(), run.nodeTun().received(),
                    order.reordered(), order.late(), order.givenUp(), order.storeFull(), order.held());
            // Order restored: a rebuilt packet would otherwise reach TUN after the ones sent after it.
            assertTrue(order.reordered() > 0, "packets waited behind gaps");
            assertTrue(run.nodeTun().outOfOrder() <= order.late() + order.storeFull(),
                    "out of order only what came after its position was given up");
            assertEquals(0, order.held(), "nothing held past the end: the timer released the last ones");
            assertEquals(PACKETS, node.fecOut.sources(), "every packet went out as a source symbol");
            assertTrue(node.fecOut.repairs() > 0 && hub.tunWriter.recovered() > 0, "repairs sent and used");
            assertTrue(run.nodeTun().received() <= PACKETS, "no packet delivered twice");
            assertEquals(0, hub.rxRelease.drops(DropReason.FEC_REFUSED), "no FEC symbol refused");
            assertEquals(0, hub.tunWriter.recoveredRefused(), "every rebuilt packet passed the tun checks");
            double limit = bound > 0 ? bound : linkLoss / 2;
            assertTrue(residual < limit, String.format("%s: residual %.4f %% not below %.4f %% (link loss %.3f %%)",
                    scenario, residual * 100, limit * 100, linkLoss * 100));
            assertTrue(missing < PACKETS * linkLoss / 2, "the whole run, warm-up included: " + missing + " lost");
        }
    }

    /** Waits until the node has had nothing back for 500 ms (lost packets never come). */
    private static void awaitQuiet(InMemoryTunnelTest.Run run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = run.nodeTun().received();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(500)) {
                return;
            }
            Thread.sleep(10);
        }
    }
}
