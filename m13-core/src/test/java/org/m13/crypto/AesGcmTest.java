package org.m13.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.m13.sys.Native;
import org.m13.sys.OffHeap;

class AesGcmTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int SIG = 14; // frame at 0: ETH(14) then the M13 header
    private static final int HUB_TO_NODE = 0x00;
    private static final int NODE_TO_HUB = 0x01;

    @BeforeAll
    static void nativeLibraryIsBuilt() {
        // The build always produces the library; a missing one is a build failure, not a skip.
        assertEquals(null, Native.unavailabilityCause());
    }

    private static byte[] key(int seed) {
        byte[] k = new byte[AesGcm.KEY_BYTES];
        new Random(seed).nextBytes(k);
        return k;
    }

    private static void put(OffHeap m, int at, byte[] bytes) {
        m.buffer().put(at, bytes);
    }

    private static byte[] get(OffHeap m, int at, int len) {
        byte[] out = new byte[len];
        m.buffer().get(at, out);
        return out;
    }

    /** A frame with an M13 header (crypto 0x01) and a random body; sig length = 48 + body. */
    private static OffHeap frame(int bodyLength, int seed) {
        OffHeap m = OffHeap.allocate(SIG + 48 + bodyLength);
        ByteBuffer b = m.buffer();
        b.put(SIG, (byte) 0xD1).put(SIG + 1, (byte) 0x01).put(SIG + 2, (byte) 0x01).put(SIG + 3, (byte) 0);
        b.put(SIG + 40, (byte) 0x20);
        b.putShort(SIG + 41, (short) bodyLength);
        byte[] body = new byte[bodyLength];
        new Random(seed).nextBytes(body);
        put(m, SIG + 48, body);
        return m;
    }

    // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256,
    // 60-byte plaintext, 20-byte AAD), also in NIST's GCM validation set.
    private static final byte[] TC16_KEY =
            HEX.parseHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    private static final byte[] TC16_IV = HEX.parseHex("cafebabefacedbaddecaf888");
    private static final byte[] TC16_AAD = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    private static final byte[] TC16_PT = HEX.parseHex(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                    + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    private static final byte[] TC16_CT = HEX.parseHex(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                    + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662");
    private static final byte[] TC16_TAG = HEX.parseHex("76fc6ece0f4e1768cddf8853bb2d551b");

    @Test
    void knownAnswerVectorSealsAndOpens() {
        OffHeap m = OffHeap.allocate(256);
        put(m, 0, TC16_IV);
        put(m, 16, TC16_AAD);
        put(m, 64, TC16_PT);
        try (AesGcm gcm = AesGcm.withKey(TC16_KEY)) {
            assertEquals(0, gcm.seal(m.address(), m.address() + 16, TC16_AAD.length, m.address() + 64,
                    TC16_PT.length, m.address() + 200));
            assertArrayEquals(TC16_CT, get(m, 64, TC16_CT.length));
            assertArrayEquals(TC16_TAG, get(m, 200, 16));

            assertEquals(0, gcm.open(m.address(), m.address() + 16, TC16_AAD.length, m.address() + 64,
                    TC16_PT.length, m.address() + 200));
            assertArrayEquals(TC16_PT, get(m, 64, TC16_PT.length));
        }
    }

    @Test
    void jdkReferenceAgreesWithTheVector() throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(TC16_KEY, "AES"), new GCMParameterSpec(128, TC16_IV));
        c.updateAAD(TC16_AAD);
        byte[] out = c.doFinal(TC16_PT);
        byte[] expected = new byte[TC16_CT.length + 16];
        System.arraycopy(TC16_CT, 0, expected, 0, TC16_CT.length);
        System.arraycopy(TC16_TAG, 0, expected, TC16_CT.length, 16);
        assertArrayEquals(expected, out);
    }

    /** What the native side seals, the JDK opens, for every size class on the data path. */
    @Test
    void nativeSealJdkOpens() throws GeneralSecurityException {
        byte[] k = key(1);
        try (AesGcm gcm = AesGcm.withKey(k)) {
            for (int len : new int[] {0, 1, 15, 16, 17, 64, 512, 1358, 1400, 9000}) {
                OffHeap m = frame(len, len);
                byte[] plain = get(m, SIG + 32, 16 + len);
                long seq = 0x0102030405060708L + len;
                assertEquals(0, gcm.sealFrame(m.address() + SIG, 48 + len, seq, NODE_TO_HUB));

                byte[] nonce = get(m, SIG + 20, 12);
                ByteBuffer expectNonce = ByteBuffer.allocate(12).putLong(seq).put((byte) NODE_TO_HUB);
                assertArrayEquals(expectNonce.array(), nonce);

                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, "AES"), new GCMParameterSpec(128, nonce));
                c.updateAAD(get(m, SIG, 4));
                byte[] ct = get(m, SIG + 32, 16 + len);
                byte[] tag = get(m, SIG + 4, 16);
                byte[] both = new byte[ct.length + 16];
                System.arraycopy(ct, 0, both, 0, ct.length);
                System.arraycopy(tag, 0, both, ct.length, 16);
                byte[] opened = c.doFinal(both);
                ByteBuffer.wrap(plain).putLong(0, seq); // seal writes seq into the encrypted region
                assertArrayEquals(plain, opened, "len " + len);
            }
        }
    }

    /** What the JDK seals in the frame layout, the native side opens. */
    @Test
    void jdkSealNativeOpens() throws GeneralSecurityException {
        byte[] k = key(2);
        try (AesGcm gcm = AesGcm.withKey(k)) {
            for (int len : new int[] {0, 64, 1400}) {
                OffHeap m = frame(len, 100 + len);
                long seq = 77L + len;
                m.buffer().putLong(SIG + 32, seq);
                ByteBuffer nonce = ByteBuffer.allocate(12).putLong(seq).put((byte) HUB_TO_NODE);
                put(m, SIG + 20, nonce.array());
                byte[] plain = get(m, SIG + 32, 16 + len);

                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "AES"), new GCMParameterSpec(128, nonce.array()));
                c.updateAAD(get(m, SIG, 4));
                byte[] out = c.doFinal(plain);
                put(m, SIG + 32, Arrays.copyOf(out, plain.length));
                put(m, SIG + 4, Arrays.copyOfRange(out, plain.length, out.length));

                assertEquals(0, gcm.openFrame(m.address() + SIG, 48 + len, NODE_TO_HUB));
                assertArrayEquals(plain, get(m, SIG + 32, 16 + len));
            }
        }
    }

    // A sealed tunnel frame, pinned byte for byte: key 00..1f, seq 42, node->hub, key
    // phase 0, flags TUNNEL, body "M13 golden frame". The JDK reference opens the literal.
    private static final String GOLDEN_SEALED = "02005e00530102005e00530288b5" + "d1010100"
            + "fbe7bb6393e96b0e3ede1d4d11b0da8c" + "000000000000002a01000000"
            + "1cfc02fbe150527e5dbe5c3dfc2a12dcd937b90fb48610e31b69c96551355f1e";

    @Test
    void sealedTunnelFrameIsPinned() throws GeneralSecurityException {
        byte[] k = new byte[32];
        for (int i = 0; i < 32; i++) {
            k[i] = (byte) i;
        }
        byte[] body = "M13 golden frame".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        OffHeap m = OffHeap.allocate(SIG + 48 + body.length);
        org.m13.wire.EthernetHeader eth = new org.m13.wire.EthernetHeader().wrap(m.buffer(), 0);
        eth.destination(0x02005e005301L).source(0x02005e005302L).etherType(org.m13.wire.Wire.ETHERTYPE_M13);
        new org.m13.wire.M13Header().wrap(m.buffer(), 0).writeForSeal(0, org.m13.wire.Flags.TUNNEL, body.length);
        put(m, SIG + 48, body);
        try (AesGcm gcm = AesGcm.withKey(k)) {
            assertEquals(0, gcm.sealFrame(m.address() + SIG, 48 + body.length, 42, NODE_TO_HUB));
        }
        assertEquals(GOLDEN_SEALED, HEX.formatHex(get(m, 0, m.capacity())));

        byte[] golden = HEX.parseHex(GOLDEN_SEALED);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, "AES"),
                new GCMParameterSpec(128, Arrays.copyOfRange(golden, SIG + 20, SIG + 32)));
        c.updateAAD(Arrays.copyOfRange(golden, SIG, SIG + 4));
        byte[] ct = Arrays.copyOfRange(golden, SIG + 32, golden.length);
        byte[] withTag = Arrays.copyOf(ct, ct.length + 16);
        System.arraycopy(golden, SIG + 4, withTag, ct.length, 16);
        byte[] inner = c.doFinal(withTag);
        assertEquals("000000000000002a" + "20" + "0010" + "0000000000" + HEX.formatHex(body), HEX.formatHex(inner));
    }

    /** One flipped bit anywhere in AAD, tag, nonce or ciphertext is refused. */
    @Test
    void everySingleBitFlipIsRejected() {
        int len = 40;
        try (AesGcm gcm = AesGcm.withKey(key(3))) {
            OffHeap sealed = frame(len, 3);
            assertEquals(0, gcm.sealFrame(sealed.address() + SIG, 48 + len, 9, NODE_TO_HUB));
            byte[] pristine = get(sealed, 0, SIG + 48 + len);
            OffHeap m = OffHeap.allocate(pristine.length);
            int rejected = 0;
            for (int i = SIG; i < pristine.length; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    put(m, 0, pristine);
                    m.buffer().put(i, (byte) (pristine[i] ^ (1 << bit)));
                    int status = gcm.openFrame(m.address() + SIG, 48 + len, HUB_TO_NODE);
                    assertNotEquals(0, status, "flip at sig+" + (i - SIG) + " bit " + bit + " accepted");
                    rejected++;
                }
            }
            assertEquals((48 + len) * 8, rejected);
            put(m, 0, pristine);
            assertEquals(0, gcm.openFrame(m.address() + SIG, 48 + len, HUB_TO_NODE));
        }
    }

    @Test
    void tamperingFailsAuthenticationSpecifically() {
        try (AesGcm gcm = AesGcm.withKey(key(4))) {
            for (int offset : new int[] {0, 2, 3, 4, 19, 20, 27, 28, 32, 40, 48, 60}) {
                OffHeap m = frame(16, 4);
                assertEquals(0, gcm.sealFrame(m.address() + SIG, 64, 5, HUB_TO_NODE));
                m.buffer().put(SIG + offset, (byte) (m.buffer().get(SIG + offset) ^ 0x01));
                AeadStatus status = AeadStatus.of(gcm.openFrame(m.address() + SIG, 64, NODE_TO_HUB));
                // sig+2 carries the crypto byte (flip -> NOT_ENCRYPTED), sig+28 the direction
                // (flip -> REFLECTED): refused before AES; everything else fails the tag.
                AeadStatus expected = offset == 2 ? AeadStatus.NOT_ENCRYPTED
                        : offset == 28 ? AeadStatus.REFLECTED : AeadStatus.AUTH_FAILED;
                assertEquals(expected, status, "offset " + offset);
            }
        }
    }

    @Test
    void reflectedFrameIsRefusedBeforeDecryption() {
        try (AesGcm gcm = AesGcm.withKey(key(5))) {
            OffHeap m = frame(32, 5);
            assertEquals(0, gcm.sealFrame(m.address() + SIG, 80, 1, HUB_TO_NODE));
            byte[] sealed = get(m, 0, m.capacity());
            // The hub receiving its own hub->node frame back: refused, region untouched.
            assertEquals(AeadStatus.REFLECTED, AeadStatus.of(gcm.openFrame(m.address() + SIG, 80, HUB_TO_NODE)));
            assertArrayEquals(sealed, get(m, 0, m.capacity()));
            assertEquals(AeadStatus.OK, AeadStatus.of(gcm.openFrame(m.address() + SIG, 80, NODE_TO_HUB)));
        }
    }

    @Test
    void malformedNonceAndShortFrameAreRefused() {
        try (AesGcm gcm = AesGcm.withKey(key(6))) {
            OffHeap m = frame(8, 6);
            assertEquals(0, gcm.sealFrame(m.address() + SIG, 56, 1, NODE_TO_HUB));
            m.buffer().put(SIG + 31, (byte) 1);
            assertEquals(AeadStatus.BAD_NONCE, AeadStatus.of(gcm.openFrame(m.address() + SIG, 56, HUB_TO_NODE)));
            assertEquals(AeadStatus.BAD_LENGTH, AeadStatus.of(gcm.openFrame(m.address() + SIG, 47, HUB_TO_NODE)));
            assertEquals(AeadStatus.BAD_LENGTH, AeadStatus.of(gcm.sealFrame(m.address() + SIG, 47, 1, HUB_TO_NODE)));
        }
    }

    @Test
    void wrongKeyFailsAndClosedKeyIsReported() {
        OffHeap m = frame(100, 7);
        try (AesGcm a = AesGcm.withKey(key(7)); AesGcm b = AesGcm.withKey(key(8))) {
            assertEquals(0, a.sealFrame(m.address() + SIG, 148, 1, NODE_TO_HUB));
            assertEquals(AeadStatus.AUTH_FAILED, AeadStatus.of(b.openFrame(m.address() + SIG, 148, HUB_TO_NODE)));
        }
        AesGcm closed = AesGcm.withKey(key(9));
        closed.close();
        closed.close(); // idempotent
        assertEquals(AeadStatus.CLOSED, AeadStatus.of(closed.sealFrame(m.address() + SIG, 148, 1, NODE_TO_HUB)));
        assertThrows(IllegalArgumentException.class, () -> AesGcm.withKey(new byte[16]));
    }

    /** The hot path allocates nothing: 100 000 seal+open pairs, counted in bytes. */
    @Test
    void sealAndOpenDoNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);

        OffHeap m = frame(1400, 10);
        long sig = m.address() + SIG;
        try (AesGcm tx = AesGcm.withKey(key(10)); AesGcm rx = AesGcm.withKey(key(10))) {
            int failures = run(tx, rx, sig, 20_000); // warm up: JIT, class init
            long tid = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(tid);
            failures += run(tx, rx, sig, 100_000);
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            assertEquals(0, failures);
            // The bound leaves room for a stray JIT deopt; per-packet allocation would be MBs.
            assertEquals(true, allocated < 4096, "allocated " + allocated + " bytes over 100 000 seal+open");
        }
    }

    private static int run(AesGcm tx, AesGcm rx, long sig, int count) {
        int failures = 0;
        for (int i = 0; i < count; i++) {
            failures += tx.sealFrame(sig, 48 + 1400, i, NODE_TO_HUB) != 0 ? 1 : 0;
            failures += rx.openFrame(sig, 48 + 1400, HUB_TO_NODE) != 0 ? 1 : 0;
        }
        return failures;
    }
}
