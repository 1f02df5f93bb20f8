package org.m13.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.m13.wire.Wire;

/**
 * Issue 4 item 5: handshakes through {@link NodeDriver} and {@link HubDriver} over an
 * in-memory link with 600 ms RTT and 5 % random loss of every packet in both
 * directions (fragments, ACKs, CookieReplies), 100 Mbit/s, on a virtual clock. The
 * statistics use size-correct stand-ins for the cores (2 ms of CPU charged per PQC
 * step) so that 1000 runs take a second; real cores run the same path below.
 */
class LossySimulationTest {
    private static final long MS = 1_000_000L;
    private static final long ONE_WAY = 300 * MS;
    private static final double LOSS = 0.05;
    private static final long LINK_BITS_PER_SECOND = 100_000_000L;
    private static final int OVERHEAD = Wire.ETH_HEADER_BYTES + Wire.M13_HEADER_BYTES + Wire.FRAGMENT_HEADER_BYTES;
    private static final int ACK_BYTES = Wire.ETH_HEADER_BYTES + Wire.M13_HEADER_BYTES + 7;
    private static final long CPU = 2 * MS;
    private static final long SOURCE = 0x0A0D0002_01BBL;
    private static final int TO_HUB = 0;
    private static final int TO_NODE = 1;

    /** The link and the clock. */
    private static final class Sim {
        final PriorityQueue<long[]> queue = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                : Long.compare(a[1], b[1]));
        final List<Runnable> actions = new ArrayList<>();
        final Random random;
        final double loss;
        final long[] linkFree = new long[2];
        /** Per side (0 node, 1 hub): CPU busy until; a packet leaves no earlier. */
        final long[] busyUntil = new long[2];
        long now;
        long seq;
        long bytesSent;

        Sim(long seed, double loss) {
            random = new Random(seed);
            this.loss = loss;
        }

        void at(long time, Runnable action) {
            actions.add(action);
            queue.add(new long[] {time, seq++, actions.size() - 1});
        }

        void send(int dir, int bytes, Runnable delivery) {
            bytesSent += bytes;
            int side = dir == TO_HUB ? 0 : 1;
            long start = Math.max(Math.max(now, busyUntil[side]), linkFree[dir]);
            long serialization = bytes * 8L * 1_000_000_000L / LINK_BITS_PER_SECOND;
            linkFree[dir] = start + serialization;
            if (random.nextDouble() >= loss) {
                at(start + serialization + ONE_WAY, delivery);
            }
        }

        void run(long until, java.util.function.BooleanSupplier done) {
            while (!queue.isEmpty() && queue.peek()[0] <= until && !done.getAsBoolean()) {
                long[] e = queue.poll();
                now = e[0];
                actions.get((int) e[2]).run();
            }
        }
    }

    /** A node driver and a hub driver joined by the simulated link. */
    private static final class Link {
        final Sim sim;
        NodeDriver node;
        HubDriver hub;
        long hubEstablished = -1;
        HandshakeStep nodeStep;
        HandshakeStep hubStep;
        long lastNodeWake = Long.MIN_VALUE;
        long lastHubWake = Long.MIN_VALUE;

        Link(Sim sim) {
            this.sim = sim;
        }

        final HandshakeOutbox fromNode = new HandshakeOutbox() {
            @Override
            public void sendFragment(int msgId, int index, int count, byte[] chunk) {
                sim.send(TO_HUB, chunk.length + OVERHEAD, () -> {
                    HandshakeStep step = hub.onFragment(SOURCE, msgId, index, count, chunk, sim.now, fromHub);
                    if (step.outcome() == HandshakeStep.Outcome.ESTABLISHED) {
                        hubStep = step;
                        hubEstablished = Math.max(sim.now, sim.busyUntil[1]);
                    }
                    wake();
                });
            }

            @Override
            public void sendAck(int msgId, int bitmap) {
                sim.send(TO_HUB, ACK_BYTES, () -> {
                    hub.onAck(SOURCE, msgId, bitmap, sim.now, fromHub);
                    wake();
                });
            }

            @Override
            public void sendMessage(byte[] message) {
                throw new AssertionError("the node sends only fragments and ACKs");
            }
        };

        final HandshakeOutbox fromHub = new HandshakeOutbox() {
            @Override
            public void sendFragment(int msgId, int index, int count, byte[] chunk) {
                sim.send(TO_NODE, chunk.length + OVERHEAD, () -> {
                    HandshakeStep step = node.onFragment(msgId, index, count, chunk, sim.now);
                    if (step.outcome() != HandshakeStep.Outcome.NONE) {
                        nodeStep = step;
                    }
                    wake();
                });
            }

            @Override
            public void sendAck(int msgId, int bitmap) {
                sim.send(TO_NODE, ACK_BYTES, () -> {
                    node.onAck(msgId, bitmap, sim.now);
                    wake();
                });
            }

            @Override
            public void sendMessage(byte[] message) {
                sim.send(TO_NODE, message.length + OVERHEAD, () -> {
                    HandshakeStep unused = node.onCookieReply(message, sim.now);
                    wake();
                });
            }
        };

        void wake() {
            long n = node.nextTimerNanos();
            if (n != Long.MAX_VALUE && n != lastNodeWake) {
                lastNodeWake = n;
                sim.at(Math.max(n, sim.now), () -> {
                    node.onTimer(sim.now);
                    wake();
                });
            }
            long h = hub.nextTimerNanos();
            if (h != Long.MAX_VALUE && h != lastHubWake) {
                lastHubWake = h;
                sim.at(Math.max(h, sim.now), () -> {
                    hub.onTimer(sim.now, source -> fromHub);
                    wake();
                });
            }
        }

        /** Runs until the node knows the hub has the keys; returns when the hub got them. */
        long run() {
            sim.at(0, () -> {
                node.start(sim.now);
                wake();
            });
            sim.run(120_000 * MS, () -> node.finishedAcknowledged());
            assertTrue(hubEstablished >= 0, "handshake did not complete in 120 s of virtual time");
            assertTrue(node.finishedAcknowledged(), "the node never learnt that the hub has the keys");
            return hubEstablished;
        }
    }

    /** Size-correct stand-ins for the cores that check the bytes arrive intact and charge CPU. */
    private static final class FakeCores implements HubCore {
        final Random random;
        final Sim sim;
        final long deadline;
        byte[] ch;
        byte[] sh;
        byte[] fin;

        FakeCores(long seed, Sim sim, long deadline) {
            this.random = new Random(seed);
            this.sim = sim;
            this.deadline = deadline;
        }

        private byte[] bytes(int n, int type) {
            byte[] b = new byte[n];
            random.nextBytes(b);
            b[0] = (byte) type;
            return b;
        }

        NodeAttempt start(long startedAt) {
            ch = bytes(ClientHello.BYTES, 1);
            return new NodeAttempt() {
                @Override
                public byte[] clientHello() {
                    return ch.clone();
                }

                @Override
                public HandshakeStep onServerHello(byte[] message, long nowNanos) {
                    assertArrayEquals(sh, message);
                    sim.busyUntil[0] = nowNanos + CPU;
                    fin = bytes(Finished.BYTES, 3);
                    return HandshakeStep.established(fin, null, null);
                }

                @Override
                public HandshakeStep onCookieReply(byte[] message, long nowNanos) {
                    return HandshakeStep.rejected(Reject.BAD_COOKIE);
                }

                @Override
                public boolean isExpired(long nowNanos) {
                    return nowNanos - deadlineNanos() >= 0;
                }

                @Override
                public long deadlineNanos() {
                    return startedAt + deadline;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public HandshakeStep onClientHello(byte[] message, long source, SecureRandom unused, long nowNanos) {
            if (!Arrays.equals(ch, message)) {
                return HandshakeStep.rejected(Reject.BAD_MAC); // a ClientHello of an older attempt
            }
            sim.busyUntil[1] = nowNanos + CPU;
            sh = bytes(ServerHello.BYTES, 2);
            return HandshakeStep.sent(sh, "fake");
        }

        @Override
        public HandshakeStep onFinished(byte[] message, long source, long nowNanos) {
            assertArrayEquals(fin, message);
            sim.busyUntil[1] = nowNanos + CPU;
            return HandshakeStep.established(null, null, "fake");
        }

        @Override
        public int onTimer(long nowNanos) {
            return 0;
        }
    }

    private static final class Result {
        long time;
        int attempts;
        long bytes;
    }

    private static Result fakeRun(long seed, double loss, DeliveryConfig config) {
        Sim sim = new Sim(seed, loss);
        Link link = new Link(sim);
        FakeCores cores = new FakeCores(seed, sim, config.attemptDeadlineNanos());
        link.node = new NodeDriver(cores::start, sim.random, config, link.fromNode);
        link.hub = new HubDriver(cores, Fixture.seeded(seed), config);
        Result r = new Result();
        r.time = link.run();
        r.attempts = link.node.attempts();
        r.bytes = sim.bytesSent;
        return r;
    }

    /** Runs 1000 handshakes; returns {median, p99, worst} in nanoseconds. */
    private static long[] thousandRuns(DeliveryConfig config) {
        int runs = 1000;
        long[] times = new long[runs];
        int restarts = 0;
        long bytes = 0;
        for (int i = 0; i < runs; i++) {
            Result r = fakeRun(1_000_003L * i + 7, LOSS, config);
            times[i] = r.time;
            restarts += r.attempts - 1;
            bytes += r.bytes;
        }
        Arrays.sort(times);
        long median = times[runs / 2];
        long p99 = times[(int) Math.ceil(runs * 0.99) - 1];
        long worst = times[runs - 1];
        System.out.printf("handshake completion at 600 ms RTT, 5 %% loss, %d runs, parity %s: best %.3f s, "
                + "median %.3f s, p99 %.3f s, worst %.3f s; %d restarts; %.0f bytes per handshake on the wire%n",
                runs, config.parity() ? "on" : "off", times[0] / 1e9, median / 1e9, p99 / 1e9, worst / 1e9, restarts,
                (double) bytes / runs);
        return new long[] {median, p99, worst};
    }

    @Test
    void thousandHandshakesAt600msRttAnd5PercentLossAllComplete() {
        long[] withParity = thousandRuns(DeliveryConfig.defaults());
        assertTrue(withParity[0] <= 1_300 * MS, "median " + withParity[0] / 1e9 + " s");
        assertTrue(withParity[1] <= 3_000 * MS, "p99 " + withParity[1] / 1e9 + " s");
    }

    @Test
    void withoutParityTheTargetsAreStillMetButTheTailIsLonger() {
        long[] plain = thousandRuns(DeliveryConfig.defaults().withParity(false));
        long[] withParity = thousandRuns(DeliveryConfig.defaults());
        assertTrue(plain[0] <= 1_300 * MS && plain[1] <= 3_000 * MS);
        assertTrue(withParity[1] < plain[1], "parity shortens the tail");
    }

    @Test
    void losslessHandshakeTakesOneAndAHalfRoundTripsPlusCpu() {
        Result r = fakeRun(1, 0.0, DeliveryConfig.defaults().withParity(false));
        long expected = 3 * ONE_WAY + 3 * CPU;
        // plus serialization of the fragments at 100 Mbit/s (under 1 ms per flight)
        assertTrue(r.time >= expected && r.time < expected + 3 * MS, "lossless completion " + r.time / 1e6 + " ms");
        assertEquals(1, r.attempts);
        // every byte sent once: 11 fragments and the final ACK
        long wire = ClientHello.BYTES + ServerHello.BYTES + Finished.BYTES + 11L * OVERHEAD + ACK_BYTES;
        assertEquals(wire, r.bytes);
    }

    @Test
    void heavyLossStillCompletesThroughTimersAndRestarts() {
        int restarts = 0;
        for (int i = 0; i < 50; i++) {
            Result r = fakeRun(i, 0.30, DeliveryConfig.defaults().withParity(i % 2 == 0));
            assertTrue(r.time > 0);
            restarts += r.attempts - 1;
        }
        assertTrue(restarts >= 0);
    }

    @Test
    void realCoresThroughTheDriversDeriveEqualKeys() {
        Fixture f = new Fixture();
        for (int i = 0; i < 6; i++) {
            try (HubHandshake core = f.hubCore()) {
                Sim sim = new Sim(31L * i + 5, LOSS);
                Link link = new Link(sim);
                link.node = new NodeDriver(f.node, f.hub.publicIdentity(), f.random, f.nodeCounter,
                        DeliveryConfig.defaults(), link.fromNode);
                link.hub = new HubDriver(core, f.random, DeliveryConfig.defaults());
                assertTrue(link.run() > 0);
                assertEquals(HandshakeStep.Outcome.ESTABLISHED, link.nodeStep.outcome());
                assertEquals("node-1", link.hubStep.peerName());
                assertArrayEquals(link.nodeStep.keys().nodeToHubKey(), link.hubStep.keys().nodeToHubKey());
                assertArrayEquals(link.nodeStep.keys().hubToNodeKey(), link.hubStep.keys().hubToNodeKey());
                link.node.close();
            }
        }
    }

    @Test
    void realCoresUnderLoadGoThroughTheCookieRoundTrip() {
        Fixture f = new Fixture();
        try (HubHandshake core = f.hubCore(Fixture.CONFIG.withCookieThreshold(0))) {
            Sim sim = new Sim(99, 0.0);
            Link link = new Link(sim);
            link.node = new NodeDriver(f.node, f.hub.publicIdentity(), f.random, f.nodeCounter,
                    DeliveryConfig.defaults(), link.fromNode);
            link.hub = new HubDriver(core, f.random, DeliveryConfig.defaults());
            long time = link.run();
            // one extra round trip for the cookie: 5 one-way trips
            assertTrue(time >= 5 * ONE_WAY && time < 5 * ONE_WAY + 100 * MS, "with cookie " + time / 1e6 + " ms");
            assertArrayEquals(link.nodeStep.keys().sendKey(), link.hubStep.keys().receiveKey());
            assertEquals(0, link.hub.sources() - 1); // one source tracked, kept to re-ACK a lost ACK
            link.node.close();
        }
    }
}
