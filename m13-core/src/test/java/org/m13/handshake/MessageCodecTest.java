package org.m13.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.m13.identity.KeyId;
import org.m13.wire.Wire;

/** Pins the byte layouts documented in docs/PROTOCOL-HANDSHAKE.md. */
class MessageCodecTest {
    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private static int fragments(int bytes) {
        return (bytes + Wire.MAX_FRAGMENT_CHUNK - 1) / Wire.MAX_FRAGMENT_CHUNK;
    }

    @Test
    void sizesAndOffsetsAreTheDocumentedOnes() {
        assertEquals(2, ClientHello.OFFSET_NONCE);
        assertEquals(34, ClientHello.OFFSET_KEY_ID);
        assertEquals(50, ClientHello.OFFSET_ML_KEM_KEY);
        assertEquals(1618, ClientHello.OFFSET_X25519_KEY);
        assertEquals(1650, ClientHello.OFFSET_PADDING);
        assertEquals(2772, ClientHello.OFFSET_MAC1);
        assertEquals(2788, ClientHello.OFFSET_MAC2);
        assertEquals(2804, ClientHello.BYTES);

        assertEquals(2, ServerHello.OFFSET_NONCE);
        assertEquals(34, ServerHello.OFFSET_CIPHERTEXT);
        assertEquals(1602, ServerHello.OFFSET_X25519_KEY);
        assertEquals(1634, ServerHello.OFFSET_SIGNATURE);
        assertEquals(6261, ServerHello.BYTES);

        assertEquals(2, Finished.OFFSET_KEY_ID);
        assertEquals(18, Finished.OFFSET_SIGNATURE);
        assertEquals(4645, Finished.OFFSET_CONFIRM);
        assertEquals(4677, Finished.BYTES);
    }

    @Test
    void messagesFitTheFragmentLayer() {
        assertEquals(2, fragments(ClientHello.BYTES));
        assertEquals(5, fragments(ServerHello.BYTES));
        assertEquals(4, fragments(Finished.BYTES));
        assertTrue(ServerHello.BYTES <= Wire.MAX_MESSAGE_BYTES);
        // 11 fragments per handshake, against the reference design's 14
        assertEquals(11, fragments(ClientHello.BYTES) + fragments(ServerHello.BYTES) + fragments(Finished.BYTES));
    }

    @Test
    void hubAnswersAnUnvalidatedSenderWithAtMostThreeTimesItsBytes() {
        int perFragment = Wire.ETH_HEADER_BYTES + Wire.M13_HEADER_BYTES + Wire.FRAGMENT_HEADER_BYTES;
        assertEquals(2 * Wire.MAX_FRAGMENT_CHUNK, ClientHello.BYTES); // padded to 2 full fragments
        long received = ClientHello.BYTES + 2L * perFragment;
        long sent = ServerHello.BYTES + 5L * perFragment;
        assertTrue(3 * received >= sent, sent + " > 3 x " + received);
        assertTrue(3 * ClientHello.BYTES >= ServerHello.BYTES);
    }

    @Test
    void clientHelloFieldsSitAtTheirOffsets() {
        KeyId id = KeyId.derive(new byte[] {1, 2, 3});
        ClientHello hello = ClientHello.build(filled(32, 0x11), id, filled(1568, 0x22), filled(32, 0x33));
        byte[] b = hello.encode();
        assertEquals(0x01, b[0]);
        assertEquals(0x02, b[1]);
        assertEquals(0x11, b[2]);
        assertEquals(0x11, b[33]);
        assertArrayEquals(id.bytes(), Arrays.copyOfRange(b, 34, 50));
        assertEquals(0x22, b[50]);
        assertEquals(0x22, b[1617]);
        assertEquals(0x33, b[1618]);
        assertEquals(0x33, b[1649]);
        assertArrayEquals(new byte[1122 + 32], Arrays.copyOfRange(b, 1650, 2804)); // padding, MACs unset
        ClientHello back = ClientHello.decode(b);
        assertArrayEquals(filled(32, 0x11), back.nonce());
        assertEquals(id, back.nodeKeyId());
        assertArrayEquals(filled(1568, 0x22), back.mlKemPublicKey());
        assertArrayEquals(filled(32, 0x33), back.x25519PublicKey());
    }

    @Test
    void serverHelloFieldsSitAtTheirOffsets() {
        ServerHello hello = ServerHello.build(filled(32, 0x44), filled(1568, 0x55), filled(32, 0x66));
        hello.setSignature(filled(4627, 0x77));
        byte[] b = hello.encode();
        assertEquals(0x02, b[0]);
        assertEquals(0x02, b[1]);
        assertEquals(0x44, b[33]);
        assertEquals(0x55, b[34]);
        assertEquals(0x55, b[1601]);
        assertEquals(0x66, b[1602]);
        assertEquals(0x66, b[1633]);
        assertEquals(0x77, b[1634]);
        assertEquals(0x77, b[6260]);
        ServerHello back = ServerHello.decode(b);
        assertArrayEquals(filled(32, 0x44), back.nonce());
        assertArrayEquals(filled(1568, 0x55), back.ciphertext());
        assertArrayEquals(filled(32, 0x66), back.x25519PublicKey());
        assertArrayEquals(filled(4627, 0x77), back.signature());
    }

    @Test
    void finishedFieldsSitAtTheirOffsets() {
        KeyId id = KeyId.derive(new byte[] {9});
        Finished fin = Finished.build(id);
        fin.setSignature(filled(4627, 0x88));
        fin.setConfirm(filled(32, 0x99));
        byte[] b = fin.encode();
        assertEquals(0x03, b[0]);
        assertEquals(0x02, b[1]);
        assertArrayEquals(id.bytes(), Arrays.copyOfRange(b, 2, 18));
        assertEquals((byte) 0x88, b[18]);
        assertEquals((byte) 0x88, b[4644]);
        assertEquals((byte) 0x99, b[4645]);
        assertEquals((byte) 0x99, b[4676]);
        Finished back = Finished.decode(b);
        assertEquals(id, back.nodeKeyId());
        assertArrayEquals(filled(4627, 0x88), back.signature());
        assertArrayEquals(filled(32, 0x99), back.confirm());
    }

    @Test
    void wrongLengthTypeOrVersionIsRefused() {
        byte[] ch = ClientHello.build(new byte[32], KeyId.derive(new byte[0]), new byte[1568], new byte[32]).encode();
        assertEquals(Reject.BAD_LENGTH, reason(() -> ClientHello.wrap(Arrays.copyOf(ch, ch.length - 1))));
        assertEquals(Reject.BAD_LENGTH, reason(() -> ClientHello.wrap(Arrays.copyOf(ch, ch.length + 1))));
        assertEquals(Reject.BAD_LENGTH, reason(() -> ClientHello.wrap(new byte[0])));
        byte[] badType = ch.clone();
        badType[0] = 0x03;
        assertEquals(Reject.BAD_TYPE, reason(() -> ClientHello.wrap(badType)));
        byte[] seedVersion = ch.clone();
        seedVersion[1] = 0x01; // the reference design's version
        assertEquals(Reject.BAD_VERSION, reason(() -> ClientHello.wrap(seedVersion)));
        assertThrows(IllegalArgumentException.class, () -> ServerHello.decode(ch));
        assertThrows(IllegalArgumentException.class, () -> Finished.decode(new byte[Finished.BYTES]));
        assertThrows(IllegalArgumentException.class,
                () -> ClientHello.build(new byte[31], KeyId.derive(new byte[0]), new byte[1568], new byte[32]));
    }

    private static Reject reason(Supplier<?> parse) {
        return assertThrows(HandshakeException.class, parse::get).reason();
    }

    @Test
    void ackAndCookieReplyLayouts() {
        byte[] ack = HandshakeAck.encode(0x01020304, 0b101011);
        assertArrayEquals(new byte[] {0x05, 0x02, 0x01, 0x02, 0x03, 0x04, 0b101011}, ack);
        HandshakeAck back = HandshakeAck.decode(ack);
        assertEquals(0x01020304, back.msgId());
        assertEquals(0b101011, back.bitmap());
        assertThrows(IllegalArgumentException.class, () -> HandshakeAck.encode(1, 0x100));
        assertThrows(IllegalArgumentException.class, () -> HandshakeAck.decode(Arrays.copyOf(ack, 6)));
        assertEquals(2, CookieReply.OFFSET_NONCE);
        assertEquals(14, CookieReply.OFFSET_COOKIE);
        assertEquals(30, CookieReply.OFFSET_TAG);
        assertEquals(46, CookieReply.BYTES);
        CookieReply reply = CookieReply.build(filled(12, 0x21), filled(32, 0x43));
        byte[] b = reply.encode();
        assertEquals(0x04, b[0]);
        assertEquals(0x02, b[1]);
        assertArrayEquals(filled(12, 0x21), CookieReply.decode(b).nonce());
        assertArrayEquals(filled(32, 0x43), CookieReply.decode(b).sealedCookie());
    }
}
