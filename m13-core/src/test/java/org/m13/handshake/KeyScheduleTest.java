package org.m13.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.pqc.crypto.mldsa.MLDSASigner;
import org.bouncycastle.crypto.params.ParametersWithContext;
import org.junit.jupiter.api.Test;
import org.m13.crypto.AesGcm;
import org.m13.sys.OffHeap;
import org.m13.wire.Direction;

/**
 * The key schedule and the transcript, recomputed from their definitions in
 * docs/PROTOCOL-HANDSHAKE.md with the JDK alone (labels spelled out here, not taken
 * from the code), and the keys used by the data-plane AEAD.
 */
class KeyScheduleTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hmac(byte[] key, byte[]... parts) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA512");
        mac.init(new SecretKeySpec(key, "HmacSHA512"));
        for (byte[] p : parts) {
            mac.update(p);
        }
        return mac.doFinal();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** RFC 5869 HKDF-Expand with SHA-512 for L <= 64 (one block). */
    private static byte[] expand(byte[] prk, String info, int length) throws GeneralSecurityException {
        return Arrays.copyOf(hmac(prk, ascii(info), new byte[] {1}), length);
    }

    @Test
    void hkdfMatchesTheRfc5869DefinitionRecomputedWithJdkHmac() throws GeneralSecurityException {
        // Our HKDF is Bouncy Castle's; check it against the JDK HMAC definition on fixed inputs.
        byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
        byte[] ssKem = new byte[32];
        byte[] ssX = new byte[32];
        Arrays.fill(ssKem, (byte) 0x0b);
        Arrays.fill(ssX, (byte) 0x0c);
        byte[] prk = hmac(salt, ssKem, ssX); // HKDF-Extract: HMAC(salt, IKM)
        try (KeySchedule schedule = new KeySchedule(salt, ssKem, ssX)) {
            try (SessionKeys keys = schedule.sessionKeys(SessionKeys.Role.NODE, new byte[64])) {
                assertArrayEquals(expand(prk, "M13-HS-v2 key node->hub", 32), keys.nodeToHubKey());
                assertArrayEquals(expand(prk, "M13-HS-v2 key hub->node", 32), keys.hubToNodeKey());
            }
            byte[] finHash = new byte[64];
            Arrays.fill(finHash, (byte) 0x5a);
            byte[] confirmKey = expand(prk, "M13-HS-v2 node confirm", 64);
            assertArrayEquals(Arrays.copyOf(hmac(confirmKey, finHash), 32), schedule.confirm(finHash));
        }
    }

    @Test
    void bothSecretsMatter() {
        byte[] salt = new byte[64];
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        try (KeySchedule base = new KeySchedule(salt, a, b);
                SessionKeys k0 = base.sessionKeys(SessionKeys.Role.NODE, salt)) {
            b[31] = 1;
            try (KeySchedule otherX = new KeySchedule(salt, a, b);
                    SessionKeys k1 = otherX.sessionKeys(SessionKeys.Role.NODE, salt)) {
                assertFalse(Arrays.equals(k0.nodeToHubKey(), k1.nodeToHubKey()));
            }
            b[31] = 0;
            a[0] = 1;
            try (KeySchedule otherKem = new KeySchedule(salt, a, b);
                    SessionKeys k2 = otherKem.sessionKeys(SessionKeys.Role.NODE, salt)) {
                assertFalse(Arrays.equals(k0.nodeToHubKey(), k2.nodeToHubKey()));
            }
            a[0] = 0;
            salt[5] = 1;
            try (KeySchedule otherTranscript = new KeySchedule(salt, a, b);
                    SessionKeys k3 = otherTranscript.sessionKeys(SessionKeys.Role.NODE, salt)) {
                assertFalse(Arrays.equals(k0.nodeToHubKey(), k3.nodeToHubKey()));
            }
        }
    }

    @Test
    void hubSignsSha512OfLabelKeysClientHelloAndServerHelloPrefix() throws GeneralSecurityException {
        Fixture f = new Fixture();
        try (HubHandshake hub = f.hubCore()) {
            Fixture.Run run = f.honestRun(hub, 0);
            MessageDigest sha = MessageDigest.getInstance("SHA-512");
            sha.update(ascii("M13-HS-v2 transcript"));
            sha.update(f.hub.publicIdentity().encoded());
            sha.update(f.node.publicIdentity().encoded());
            sha.update(run.clientHello, 0, 2772);
            sha.update(run.serverHello, 0, 1634);
            byte[] shHash = sha.digest();
            assertTrue(verify(f.hub.publicIdentity(), "M13-HS-v2 hub signature", shHash,
                    Arrays.copyOfRange(run.serverHello, 1634, 6261)));

            sha.update(ascii("M13-HS-v2 transcript"));
            sha.update(f.hub.publicIdentity().encoded());
            sha.update(f.node.publicIdentity().encoded());
            sha.update(run.clientHello, 0, 2772);
            sha.update(run.serverHello);
            sha.update(run.finished, 0, 18);
            byte[] finHash = sha.digest();
            assertArrayEquals(finHash, run.nodeKeys.handshakeHash());
            assertTrue(verify(f.node.publicIdentity(), "M13-HS-v2 node signature", finHash,
                    Arrays.copyOfRange(run.finished, 18, 4645)));
            assertFalse(verify(f.node.publicIdentity(), "M13-HS-v2 hub signature", finHash,
                    Arrays.copyOfRange(run.finished, 18, 4645)));
        }
    }

    private static boolean verify(org.m13.identity.PublicIdentity key, String context, byte[] message,
            byte[] signature) {
        MLDSASigner verifier = new MLDSASigner();
        verifier.init(false, new ParametersWithContext(key.verificationKey(), ascii(context)));
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    @Test
    void sessionKeysDriveTheDataPlaneAead() {
        Fixture f = new Fixture();
        try (HubHandshake hub = f.hubCore()) {
            Fixture.Run run = f.honestRun(hub, 0);
            byte[] nodeSend = run.nodeKeys.sendKey();
            byte[] hubReceive = run.hubKeys.receiveKey();
            byte[] hubSend = run.hubKeys.sendKey();
            try (AesGcm nodeSeal = AesGcm.withKey(nodeSend); AesGcm hubOpen = AesGcm.withKey(hubReceive);
                    AesGcm hubSeal = AesGcm.withKey(hubSend)) {
                Arrays.fill(nodeSend, (byte) 0);
                Arrays.fill(hubReceive, (byte) 0);
                Arrays.fill(hubSend, (byte) 0);
                OffHeap frame = frame(100);
                assertEquals(0, nodeSeal.sealFrame(frame.address() + 14, 48 + 100, 7, Direction.NODE_TO_HUB));
                assertEquals(0, hubOpen.openFrame(frame.address() + 14, 48 + 100, Direction.HUB_TO_NODE));
                OffHeap wrongKey = frame(100);
                assertEquals(0, hubSeal.sealFrame(wrongKey.address() + 14, 48 + 100, 7, Direction.NODE_TO_HUB));
                assertTrue(hubOpen.openFrame(wrongKey.address() + 14, 48 + 100, Direction.HUB_TO_NODE) < 0);
            }
        }
    }

    private static OffHeap frame(int bodyLength) {
        OffHeap m = OffHeap.allocate(14 + 48 + bodyLength);
        ByteBuffer b = m.buffer();
        b.put(14, (byte) 0xD1).put(15, (byte) 0x01).put(16, (byte) 0x01).put(17, (byte) 0);
        b.put(14 + 40, (byte) 0x20);
        b.putShort(14 + 41, (short) bodyLength);
        return m;
    }
}
