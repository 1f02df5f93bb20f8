package org.m13.stage;

import org.m13.crypto.AeadStatus;
import org.m13.crypto.AesGcm;
import org.m13.telemetry.DropReason;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * Send side: seals a frame in place with the peer's current key (AES-256-GCM, native).
 *
 * <p>The producer (tun-read, control, feedback) has written the Ethernet header, the
 * body and the flags byte (sig+40), and set the event's peer and the frame length
 * (ETH + M13 header + body). Seal writes the rest of the header
 * ({@link M13Header#writeForSeal}: crypto, the peer's key phase, length, padding), takes
 * the peer's next sequence number and lets {@link AesGcm#sealFrame} write nonce, seq and
 * tag. A frame the producer marked cleartext (crypto byte {@link Wire#CRYPTO_CLEARTEXT})
 * passes unsealed, counted in {@link #cleartext()}, if the protocol sends such a frame in
 * clear (registration, echo, handshake fragments and ACKs, which carry their own
 * authentication: {@link Classify#cleartextAllowed}); anything else (tunnel data, FIN,
 * feedback) is sealed whatever the producer wrote, so no producer bug leaks plaintext. Refusals: {@link DropReason#SLOT_RANGE} (frame outside its slot or shorter than the
 * headers), {@link DropReason#NO_SEND_KEY}, {@link DropReason#SEQ_EXHAUSTED}, and the AEAD's own
 * failures.
 */
public final class Seal implements Stage {
    private final SlotPool pool;
    private final SendSessions sessions;
    private final int ourDirection;
    private final M13Header header = new M13Header();
    private final DropCounters drops = new DropCounters();
    private long events;
    private long sealed;
    private long cleartext;

    /**
     * A seal stage over the pool's frames.
     *
     * @param ourDirection the sender's direction ({@link org.m13.wire.Direction}), written into every nonce
     */
    public Seal(SlotPool pool, SendSessions sessions, int ourDirection) {
        this.pool = pool;
        this.sessions = sessions;
        this.ourDirection = ourDirection;
    }

    @Override
    public String role() {
        return "seal";
    }

    @Override
    public void onEvent(FrameEvent event) {
        if (event.isDropped()) {
            return;
        }
        events++;
        int slot = event.slot();
        int offset = event.offset();
        int length = event.length();
        if (length < Wire.MIN_FRAME_BYTES || !pool.holds(slot, offset, length)) {
            drop(event, DropReason.SLOT_RANGE);
            return;
        }
        header.wrap(pool.buffer(), pool.base(slot) + offset);
        if (header.crypto() == Wire.CRYPTO_CLEARTEXT && Classify.cleartextAllowed(header.flags())) {
            cleartext++;
            return;
        }
        int peer = event.peer();
        AesGcm key = sessions.sealKey(peer);
        if (key == null) {
            drop(event, DropReason.NO_SEND_KEY);
            return;
        }
        long seq = sessions.nextSeq(peer);
        if (seq == SendSessions.EXHAUSTED) {
            drop(event, DropReason.SEQ_EXHAUSTED);
            return;
        }
        int sendTime = header.sendTime(); // the producer's stamp survives the rewrite
        header.writeForSeal(sessions.keyPhase(peer), header.flags(), length - Wire.MIN_FRAME_BYTES).sendTime(sendTime);
        int status = key.sealFrame(pool.address() + header.sigIndex(), length - Wire.ETH_HEADER_BYTES, seq,
                ourDirection);
        if (status != AeadStatus.OK.code()) {
            drop(event, DropReason.ofAead(status));
            return;
        }
        sealed++;
    }

    private void drop(FrameEvent event, DropReason reason) {
        event.drop(reason);
        drops.count(reason);
    }

    /** Frames seen (not already dropped when they arrived). */
    public long events() {
        return events;
    }

    public long sealed() {
        return sealed;
    }

    /** Frames the producer marked cleartext, passed on unsealed. */
    public long cleartext() {
        return cleartext;
    }

    public long drops(DropReason reason) {
        return drops.get(reason);
    }

    public DropCounters drops() {
        return drops;
    }
}
