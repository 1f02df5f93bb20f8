package org.m13.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HubDriver and NodeDriver event by event: what state strangers leave behind. */
class DriverTest {
    private static final long MS = 1_000_000L;
    private final Fixture f = new Fixture();

    /** Records what a driver sends. */
    private static final class Recorder implements HandshakeOutbox {
        final List<int[]> fragments = new ArrayList<>();
        final List<byte[]> chunks = new ArrayList<>();
        final List<int[]> acks = new ArrayList<>();
        final List<byte[]> messages = new ArrayList<>();

        @Override
        public void sendFragment(int msgId, int index, int count, byte[] chunk) {
            fragments.add(new int[] {msgId, index, count});
            chunks.add(chunk);
        }

        @Override
        public void sendAck(int msgId, int bitmap) {
            acks.add(new int[] {msgId, bitmap});
        }

        @Override
        public void sendMessage(byte[] message) {
            messages.add(message);
        }
    }

    private static DeliveryConfig config(int maxSources) {
        DeliveryConfig d = DeliveryConfig.defaults();
        return new DeliveryConfig(d.chunkBytes(), true, d.initialRttNanos(), d.minRtoNanos(), d.maxRtoNanos(),
                d.ackDelayNanos(), d.attemptDeadlineNanos(), maxSources);
    }

    @Test
    void nodeSendsItsClientHelloAsTwoDataFragmentsAndParity() {
        Recorder out = new Recorder();
        try (NodeDriver node = new NodeDriver(f.node, f.hub.publicIdentity(), f.random, f.nodeCounter,
                DeliveryConfig.defaults(), out)) {
            node.start(0);
            assertEquals(3, out.fragments.size());
            assertEquals(4, out.fragments.get(0)[0]); // message id of attempt 1's ClientHello: 3 x 1 + 1
            assertEquals(2, out.fragments.get(2)[2]); // count = data fragments
            assertEquals(2, out.fragments.get(2)[1]); // index 2 = parity
            long timer = node.nextTimerNanos();
            assertTrue(timer >= 900 * MS && timer < 990 * MS, "first RTO is 1.5 x 600 ms plus jitter: " + timer);
            node.onTimer(node.nextTimerNanos());
            assertEquals(5, out.fragments.size()); // the two data fragments again, not the parity
        }
    }

    @Test
    void strangersLeaveNoStateAndTheSourceTableIsBounded() {
        try (HubHandshake core = f.hubCore()) {
            HubDriver hub = new HubDriver(core, f.random, config(4));
            Recorder out = new Recorder();
            byte[] junk = new byte[1402];
            junk[0] = 1;
            junk[1] = 2;
            // first fragments from 10 sources: 4 are tracked, the rest refused
            int busy = 0;
            for (long s = 0; s < 10; s++) {
                if (hub.onFragment(s, 1, 0, 2, junk, 0, out).reject() == Reject.BUSY) {
                    busy++;
                }
            }
            assertEquals(4, hub.sources());
            assertEquals(6, busy);
            // the second fragment completes a ClientHello with a bad mac1: refused, state dropped
            HandshakeStep step = hub.onFragment(0, 1, 1, 2, junk, 1, out);
            assertEquals(Reject.BAD_MAC, step.reject());
            assertEquals(3, hub.sources());
            // a Finished or ServerHello fragment from an unknown source opens no state
            assertEquals(HandshakeStep.Outcome.NONE, hub.onFragment(77, 3, 0, 4, junk, 1, out).outcome());
            assertEquals(3, hub.sources());
            // idle sources go after the deadline
            hub.onTimer(DeliveryConfig.defaults().attemptDeadlineNanos(), source -> out);
            assertEquals(0, hub.sources());
            assertEquals(0, f.hubCounter.pqcOperations());
            assertTrue(out.fragments.isEmpty() && out.messages.isEmpty());
        }
    }

    @Test
    void underLoadTheHubKeepsNoStateForACookiedSource() {
        try (HubHandshake core = f.hubCore(Fixture.CONFIG.withCookieThreshold(0));
                NodeDriver node = new NodeDriver(f.node, f.hub.publicIdentity(), f.random, f.nodeCounter,
                        DeliveryConfig.defaults(), new Recorder())) {
            HubDriver hub = new HubDriver(core, f.random, DeliveryConfig.defaults());
            Recorder fromNode = new Recorder();
            try (NodeDriver n = new NodeDriver(f.node, f.hub.publicIdentity(), f.random, f.nodeCounter,
                    DeliveryConfig.defaults(), fromNode)) {
                n.start(0);
            }
            Recorder fromHub = new Recorder();
            HandshakeStep last = HandshakeStep.none();
            for (int i = 0; i < 2; i++) {
                int[] h = fromNode.fragments.get(i);
                last = hub.onFragment(Fixture.SOURCE, h[0], h[1], h[2], fromNode.chunks.get(i), 0, fromHub);
            }
            assertEquals(HandshakeStep.Outcome.COOKIE, last.outcome());
            assertEquals(1, fromHub.messages.size());
            assertEquals(CookieReply.BYTES, fromHub.messages.get(0).length);
            assertEquals(0, hub.sources());
            assertEquals(0, f.hubCounter.pqcOperations());
            // a driver that has not started refuses a CookieReply
            assertEquals(Reject.WRONG_STATE, node.onCookieReply(fromHub.messages.get(0), 0).reject());
        }
    }
}
