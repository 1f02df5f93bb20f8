package org.m13.handshake;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

class FrameMacTest {
    private final Fixture f = new Fixture();
    private static final long MAC = 0x0242_0000_0001L;

    private ByteBuffer frame(int flags, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(Wire.MIN_FRAME_BYTES + body.length);
        b.putShort(6, (short) (MAC >>> 32)).putInt(8, (int) MAC);
        new M13Header().wrap(b, 0).writeCleartext(0, flags, body.length);
        b.put(Wire.MIN_FRAME_BYTES, body);
        return b;
    }

    private static byte[] tag(ByteBuffer b) {
        byte[] t = new byte[16];
        b.get(Wire.ETH_HEADER_BYTES + M13Header.TAG_OFFSET, t);
        return t;
    }

    @Test
    void aStampedFrameChecksAndAnyChangeFails() {
        FrameMac node = new FrameMac(f.hub.publicIdentity());
        FrameMac hub = new FrameMac(f.hub.publicIdentity());
        byte[] body = new byte[300];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 7);
        }
        ByteBuffer b = frame(0x86, body);
        node.stamp(b, 0, body.length);
        byte[] tag = tag(b);
        assertTrue(hub.check(MAC, 0x86, body, body.length, tag));
        assertFalse(hub.check(MAC ^ 1, 0x86, body, body.length, tag), "another MAC: another peer slot");
        assertFalse(hub.check(MAC, 0x84, body, body.length, tag), "other flags");
        assertFalse(hub.check(MAC, 0x86, body, body.length - 1, tag), "shortened");
        for (int i = 0; i < body.length; i += 37) {
            body[i] ^= 0x10;
            assertFalse(hub.check(MAC, 0x86, body, body.length, tag), "body byte " + i);
            body[i] ^= 0x10;
        }
        for (int i = 0; i < 16; i++) {
            tag[i] ^= 1;
            assertFalse(hub.check(MAC, 0x86, body, body.length, tag), "tag byte " + i);
            tag[i] ^= 1;
        }
        assertTrue(hub.check(MAC, 0x86, body, body.length, tag), "the instance is reusable");
    }

    @Test
    void onlyWhoKnowsTheHubsKeyCanStampAndAnEmptyRegistrationIsCovered() {
        FrameMac hub = new FrameMac(f.hub.publicIdentity());
        FrameMac stranger = new FrameMac(f.attacker.publicIdentity());
        ByteBuffer registration = frame(0, new byte[0]);
        stranger.stamp(registration, 0, 0);
        assertFalse(hub.check(MAC, 0, new byte[0], 0, tag(registration)));
        assertFalse(hub.check(MAC, 0, new byte[0], 0, new byte[16]), "an all-zero tag (an unstamped frame)");
        new FrameMac(f.hub.publicIdentity()).stamp(registration, 0, 0);
        assertTrue(hub.check(MAC, 0, new byte[0], 0, tag(registration)));
    }
}
