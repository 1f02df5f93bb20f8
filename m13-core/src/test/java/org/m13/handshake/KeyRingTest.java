package org.m13.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Issue 4 item 6 (rekey): key phases, confirmation, grace period, no packet lost. */
class KeyRingTest {
    private static final long MS = 1_000_000L;

    /** An AES-256-GCM key (JDK) that records being closed; stands in for the native AesGcm. */
    static final class GcmKey implements AutoCloseable {
        private final byte[] key;
        private final Cipher cipher;
        boolean closed;

        GcmKey(byte[] key) {
            this.key = key.clone();
            try {
                cipher = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new AssertionError(e);
            }
        }

        byte[] seal(long seq, byte[] plain) {
            return run(Cipher.ENCRYPT_MODE, seq, plain);
        }

        byte[] open(long seq, byte[] sealed) {
            return run(Cipher.DECRYPT_MODE, seq, sealed);
        }

        private byte[] run(int mode, long seq, byte[] in) {
            if (closed) {
                throw new IllegalStateException("key used after close");
            }
            try {
                cipher.init(mode, new SecretKeySpec(key, "AES"),
                        new GCMParameterSpec(128, ByteBuffer.allocate(12).putLong(seq).array()));
                return cipher.doFinal(in);
            } catch (GeneralSecurityException e) {
                return null;
            }
        }

        @Override
        public void close() {
            Arrays.fill(key, (byte) 0);
            closed = true;
        }
    }

    private static GcmKey key(int v) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) v);
        return new GcmKey(k);
    }

    private static final RekeyPolicy POLICY = new RekeyPolicy(10_000 * MS, 1000, 20_000 * MS, 2000, 500 * MS);

    @Test
    void rekeyIsDueByPacketsOrAgeAndSendingStopsAtTheRejectLimit() {
        try (KeyRing<GcmKey> ring = new KeyRing<>(key(1), key(2), POLICY, 0)) {
            assertFalse(ring.rekeyDue(0));
            for (int i = 0; i < 999; i++) {
                ring.countSent();
            }
            assertFalse(ring.rekeyDue(1));
            ring.countSent();
            assertTrue(ring.rekeyDue(1));
            assertFalse(ring.exhausted(1));
            for (int i = 0; i < 1000; i++) {
                ring.countSent();
            }
            assertTrue(ring.exhausted(1));
        }
        try (KeyRing<GcmKey> ring = new KeyRing<>(key(1), key(2), POLICY, 5)) {
            assertFalse(ring.rekeyDue(5 + 10_000 * MS - 1));
            assertTrue(ring.rekeyDue(5 + 10_000 * MS));
            assertTrue(ring.exhausted(5 + 20_000 * MS));
            assertTrue(RekeyPolicy.defaults().rekeyAfterPackets() <= 1L << 28);
        }
    }

    @Test
    void nodeKeepsSendingOldKeysUntilTheHubIsSeenWithTheNewOnes() {
        GcmKey s0 = key(1);
        GcmKey r0 = key(2);
        GcmKey s1 = key(3);
        GcmKey r1 = key(4);
        try (KeyRing<GcmKey> node = new KeyRing<>(s0, r0, POLICY, 0)) {
            node.installNext(s1, r1, false, 100);
            assertTrue(node.hasNext());
            assertSame(s0, node.sendKey());
            assertEquals(0, node.sendPhase());
            assertFalse(node.rekeyDue(Long.MAX_VALUE / 2)); // a handshake is already done
            assertSame(r0, node.receiveKey(0, 100));
            assertSame(r1, node.receiveKey(1, 100));
            node.onOpened(0, 150); // old-phase traffic changes nothing
            assertSame(s0, node.sendKey());
            node.onOpened(1, 200); // the hub sends with the new keys: switch
            assertSame(s1, node.sendKey());
            assertEquals(1, node.sendPhase());
            assertEquals(1, node.currentPhase());
            assertSame(r0, node.receiveKey(0, 200 + 500 * MS - 1)); // grace period
            node.onTimer(200 + 500 * MS - 1);
            assertFalse(s0.closed);
            node.onTimer(200 + 500 * MS);
            assertTrue(s0.closed && r0.closed);
            assertNull(node.receiveKey(0, 200 + 500 * MS));
        }
        assertTrue(s1.closed && r1.closed);
    }

    @Test
    void hubSendsNewKeysAtOnceAndPromotesWhenTheNodeDoes() {
        GcmKey s0 = key(1);
        GcmKey s1 = key(3);
        try (KeyRing<GcmKey> hub = new KeyRing<>(s0, key(2), POLICY, 0)) {
            hub.installNext(s1, key(4), true, 100);
            assertSame(s1, hub.sendKey());
            assertEquals(1, hub.sendPhase());
            assertEquals(0, hub.currentPhase());
            hub.countSent();
            hub.onOpened(1, 300);
            assertEquals(1, hub.currentPhase());
            assertSame(s1, hub.sendKey());
            assertTrue(hub.hasPrevious());
        }
    }

    @Test
    void confirmPromotesAndARetriedHandshakeReplacesThePendingKeys() {
        GcmKey first = key(3);
        try (KeyRing<GcmKey> node = new KeyRing<>(key(1), key(2), POLICY, 0)) {
            node.installNext(first, key(4), false, 100);
            GcmKey retried = key(5);
            node.installNext(retried, key(6), false, 200);
            assertTrue(first.closed);
            node.confirm(300);
            assertSame(retried, node.sendKey());
            // the next rekey drops the previous epoch at once (its phase bit is reused)
            node.installNext(key(7), key(8), false, 400);
            assertFalse(node.hasPrevious());
        }
    }

    /**
     * Node and hub send a packet every millisecond each way over a 300 ms link with up to
     * 30 ms of reordering; the node rekeys after 1000 packets through a real handshake.
     * Every packet opens, on both sides, across the switch and the grace period.
     */
    @Test
    void noPacketIsLostAcrossARekey() {
        Fixture f = new Fixture();
        Random random = new Random(11);
        try (HubHandshake hub = f.hubCore()) {
            Fixture.Run first = f.honestRun(hub, 0);
            KeyRing<GcmKey> nodeRing = new KeyRing<>(new GcmKey(first.nodeKeys.sendKey()),
                    new GcmKey(first.nodeKeys.receiveKey()), POLICY, 0);
            KeyRing<GcmKey> hubRing = new KeyRing<>(new GcmKey(first.hubKeys.sendKey()),
                    new GcmKey(first.hubKeys.receiveKey()), POLICY, 0);
            first.nodeKeys.close();
            first.hubKeys.close();

            // events: {time, kind, seq, phase, index into payloads}; kind 0 = to hub, 1 = to node
            PriorityQueue<long[]> queue = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
            List<byte[]> payloads = new ArrayList<>();
            long[] sent = new long[2];
            long[] opened = new long[2];
            long[] phaseSeen = new long[2];
            long rekeyStartedAt = -1;
            Fixture.Run second = null;
            long end = 3_000 * MS;
            for (long t = 0; t <= end + 400 * MS; t += MS) {
                if (t <= end) {
                    for (int dir = 0; dir < 2; dir++) {
                        KeyRing<GcmKey> ring = dir == 0 ? nodeRing : hubRing;
                        long seq = sent[dir]++;
                        byte[] plain = ByteBuffer.allocate(16).putLong(seq).putLong(dir).array();
                        payloads.add(ring.sendKey().seal(seq, plain));
                        ring.countSent();
                        queue.add(new long[] {t + 300 * MS + random.nextInt(30) * MS, dir, seq, ring.sendPhase(),
                                payloads.size() - 1});
                    }
                }
                // the node rekeys when due; the handshake's messages take their one-way trips
                if (rekeyStartedAt < 0 && nodeRing.rekeyDue(t)) {
                    rekeyStartedAt = t;
                    second = f.honestRun(hub, t);
                }
                if (second != null && t == rekeyStartedAt + 600 * MS) { // ServerHello in: node has keys
                    nodeRing.installNext(new GcmKey(second.nodeKeys.sendKey()),
                            new GcmKey(second.nodeKeys.receiveKey()), false, t);
                }
                if (second != null && t == rekeyStartedAt + 900 * MS) { // Finished in: hub has keys
                    hubRing.installNext(new GcmKey(second.hubKeys.sendKey()),
                            new GcmKey(second.hubKeys.receiveKey()), true, t);
                }
                if (second != null && t == rekeyStartedAt + 1_200 * MS) { // the Finished ACK in
                    nodeRing.confirm(t);
                }
                while (!queue.isEmpty() && queue.peek()[0] <= t) {
                    long[] p = queue.poll();
                    int dir = (int) p[1];
                    KeyRing<GcmKey> receiver = dir == 0 ? hubRing : nodeRing;
                    GcmKey k = receiver.receiveKey((int) p[3], t);
                    byte[] plain = k == null ? null : k.open(p[2], payloads.get((int) p[4]));
                    if (plain != null) {
                        assertEquals(p[2], ByteBuffer.wrap(plain).getLong());
                        receiver.onOpened((int) p[3], t);
                        opened[dir]++;
                        phaseSeen[dir] |= 1L << p[3];
                    }
                }
                nodeRing.onTimer(t);
                hubRing.onTimer(t);
            }
            assertTrue(rekeyStartedAt > 0, "the packet limit triggered a rekey");
            assertEquals(sent[0], opened[0], "node -> hub packets lost");
            assertEquals(sent[1], opened[1], "hub -> node packets lost");
            assertEquals(0b11, phaseSeen[0]);
            assertEquals(0b11, phaseSeen[1]);
            assertEquals(1, nodeRing.currentPhase());
            assertEquals(1, hubRing.currentPhase());
            assertFalse(nodeRing.hasPrevious(), "old keys dropped after the grace period");
            assertFalse(hubRing.hasPrevious());
            assertArrayEquals(second.nodeKeys.sendKey(), second.hubKeys.receiveKey());
            nodeRing.close();
            hubRing.close();
        }
    }
}
