package org.m13.handshake;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.m13.identity.PublicIdentity;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * mac1 per frame: every cleartext frame a node sends the hub (registration, handshake
 * fragments, ACKs) carries, in the M13 header's tag field (unused in cleartext frames),
 * <pre>
 *   K_frame = SHA-512("M13-HS-v2 frame" || hub ML-DSA-87 public key)
 *   tag     = HMAC-SHA-512(K_frame, source MAC (6) || flags (1) || body)[0..16]
 * </pre>
 * The hub checks it before the frame creates or touches any state (a peer slot, a
 * reassembly buffer, a handshake attempt): a stranger who does not know the hub's
 * public key costs one HMAC per frame and nothing else, before reassembly completes,
 * where the ClientHello's own mac1 could only be checked after. Binding the source MAC
 * keeps a frame from being credited to another peer slot; it is not authentication
 * (the hub's key is public) and a replayed frame passes it (the handshake refuses
 * replays on its own).
 *
 * <p>One instance per thread (it keeps a reusable HMAC); no allocation per frame.
 */
public final class FrameMac {
    public static final int BYTES = HandshakeProtocol.MAC_BYTES;
    private static final int TAG = Wire.ETH_HEADER_BYTES + M13Header.TAG_OFFSET;
    private static final int FLAGS = Wire.ETH_HEADER_BYTES + M13Header.FLAGS_OFFSET;

    private final HMac hmac = new HMac(new SHA512Digest());
    private final byte[] full = new byte[64];
    private final byte[] scratch = new byte[Wire.MAX_UDP_PAYLOAD];
    private final byte[] expected = new byte[BYTES];
    private final byte[] actual = new byte[BYTES];

    public FrameMac(PublicIdentity hub) {
        byte[] hubKey = hub.encoded();
        SHA512Digest sha = new SHA512Digest();
        sha.update(HandshakeProtocol.FRAME_MAC_LABEL, 0, HandshakeProtocol.FRAME_MAC_LABEL.length);
        sha.update(hubKey, 0, hubKey.length);
        byte[] key = new byte[64];
        sha.doFinal(key, 0);
        hmac.init(new KeyParameter(key));
        java.util.Arrays.fill(key, (byte) 0);
    }

    private void compute(long sourceMac, int flags, byte[] body, int offset, int length, byte[] out) {
        for (int i = 0; i < 6; i++) {
            hmac.update((byte) (sourceMac >>> (40 - 8 * i)));
        }
        hmac.update((byte) flags);
        hmac.update(body, offset, length);
        hmac.doFinal(full, 0);
        System.arraycopy(full, 0, out, 0, BYTES);
    }

    /**
     * Writes the tag of the frame at {@code frame} (Ethernet header first) whose body is
     * {@code bodyLength} bytes; source MAC, flags and body must be written already.
     */
    public void stamp(ByteBuffer buffer, int frame, int bodyLength) {
        buffer.get(frame + Wire.MIN_FRAME_BYTES, scratch, 0, bodyLength);
        compute(sourceMac(buffer, frame), buffer.get(frame + FLAGS) & 0xFF, scratch, 0, bodyLength, expected);
        buffer.put(frame + TAG, expected);
    }

    /** Whether {@code tag} is right for a frame from {@code sourceMac} with these flags and body (constant time). */
    public boolean check(long sourceMac, int flags, byte[] body, int length, byte[] tag) {
        compute(sourceMac, flags, body, 0, length, expected);
        System.arraycopy(tag, 0, actual, 0, BYTES);
        return MessageDigest.isEqual(expected, actual);
    }

    private static long sourceMac(ByteBuffer buffer, int frame) {
        return (buffer.getShort(frame + 6) & 0xFFFFL) << 32 | (buffer.getInt(frame + 8) & 0xFFFF_FFFFL);
    }
}
