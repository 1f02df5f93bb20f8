package org.m13.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Issue 4 item 4 (first part): strangers cost no PQC work. */
class DosGuardTest {
    private final Fixture f = new Fixture();

    @Test
    void floodOfClientHellosWithInvalidMacsCostsNoPqcOrX25519() {
        Random random = new Random(1);
        try (HubHandshake hub = f.hubCore(); NodeHandshake node = f.startNode(0)) {
            byte[] genuine = node.clientHello();
            for (int i = 0; i < 1000; i++) {
                byte[] forged;
                if (i % 2 == 0) {
                    forged = new byte[ClientHello.BYTES]; // random junk with a valid header
                    random.nextBytes(forged);
                    forged[0] = (byte) HandshakeProtocol.TYPE_CLIENT_HELLO;
                    forged[1] = (byte) HandshakeProtocol.VERSION;
                } else {
                    forged = genuine.clone(); // a real ClientHello, one bit changed after the header
                    int at = 2 + random.nextInt(ClientHello.AUTHENTICATED_BYTES + HandshakeProtocol.MAC_BYTES - 2);
                    forged[at] ^= (byte) (1 << random.nextInt(8));
                }
                HandshakeStep step = hub.onClientHello(forged, Fixture.SOURCE + i, f.random, 0);
                assertEquals(Reject.BAD_MAC, step.reject(), "message " + i);
            }
            assertEquals(0, f.hubCounter.pqcOperations());
            assertEquals(0, f.hubCounter.x25519());
            assertEquals(0, hub.pendingCount());
            // and the genuine one still gets through
            assertEquals(HandshakeStep.Outcome.SENT, hub.onClientHello(genuine, Fixture.SOURCE, f.random, 0).outcome());
            assertEquals(2, f.hubCounter.pqcOperations());
        }
    }

    @Test
    void wrongLengthsAndStrayFinishedsCostNothing() {
        try (HubHandshake hub = f.hubCore()) {
            for (int length : new int[] {0, 1, 2, ClientHello.BYTES - 1, ClientHello.BYTES + 1, 9216}) {
                byte[] m = new byte[length];
                if (length > 1) {
                    m[0] = (byte) HandshakeProtocol.TYPE_CLIENT_HELLO;
                    m[1] = (byte) HandshakeProtocol.VERSION;
                }
                assertEquals(Reject.BAD_LENGTH, hub.onClientHello(m, Fixture.SOURCE, f.random, 0).reject());
            }
            byte[] fin = new byte[Finished.BYTES];
            fin[0] = (byte) HandshakeProtocol.TYPE_FINISHED;
            fin[1] = (byte) HandshakeProtocol.VERSION;
            for (int i = 0; i < 100; i++) {
                fin[2] = (byte) i;
                assertEquals(Reject.NO_ATTEMPT, hub.onFinished(fin, Fixture.SOURCE, 0).reject());
            }
            assertEquals(0, f.hubCounter.pqcOperations());
        }
    }

    @Test
    void nodePinningAnotherHubKeyFailsTheMacAtTheRealHub() {
        try (HubHandshake hub = f.hubCore();
                NodeHandshake node = NodeHandshake.start(f.node, f.attacker.publicIdentity(), f.random, f.nodeCounter, 0,
                        Fixture.TIMEOUT)) {
            assertEquals(Reject.BAD_MAC, hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reject());
            assertEquals(0, f.hubCounter.pqcOperations());
        }
    }

    @Test
    void macIsHmacSha512OfTheFirst2772BytesUnderTheHashedHubKey() {
        try (NodeHandshake node = f.startNode(0)) {
            byte[] ch = node.clientHello();
            DosGuard guard = new DosGuard(f.hub.publicIdentity());
            assertTrue(guard.check(ch));
            assertArrayEquals(Arrays.copyOfRange(ch, ClientHello.OFFSET_MAC1, ClientHello.OFFSET_MAC2),
                    guard.mac(ch, 0, ClientHello.AUTHENTICATED_BYTES));
            // recompute from the definition with the JDK alone
            byte[] key = sha512(concat(HandshakeProtocol.MAC1_LABEL, f.hub.publicIdentity().encoded()));
            byte[] mac = hmacSha512(key, Arrays.copyOf(ch, ClientHello.AUTHENTICATED_BYTES));
            assertArrayEquals(Arrays.copyOf(mac, 16), ClientHello.decode(ch).mac1());
            // mac2 (reserved for cookies) is zero and not covered by mac1
            assertArrayEquals(new byte[16], Arrays.copyOfRange(ch, ClientHello.OFFSET_MAC2, ClientHello.BYTES));
            byte[] mac2Set = ch.clone();
            mac2Set[ClientHello.OFFSET_MAC2] = 1;
            assertTrue(guard.check(mac2Set));
            assertFalse(new DosGuard(f.attacker.publicIdentity()).check(ch));
            assertFalse(guard.check(Arrays.copyOf(ch, ch.length - 1)));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] sha512(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-512").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] hmacSha512(byte[] key, byte[] data) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA512");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA512"));
            return mac.doFinal(data);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
