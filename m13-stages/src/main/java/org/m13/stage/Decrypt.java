package org.m13.stage;

import org.m13.crypto.AeadStatus;
import org.m13.crypto.AesGcm;
import org.m13.crypto.ReplayWindow;
import org.m13.telemetry.DropReason;
import org.m13.wire.FrameStatus;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * Authenticates and decrypts a frame in place, then checks the fields that were
 * encrypted ({@link M13Header#checkInner}: reserved flag, padding, exact length).
 *
 * <p>Order for an AES-256-GCM frame, cheapest refusal first: the peer's key for the
 * frame's key phase ({@link DropReason#NO_SESSION}); the replay window's
 * {@link ReplayWindow#check} on the nonce's sequence number, before any AES work; the
 * native {@link AesGcm#openFrame} (refuses reflections, bad nonces, bad tags); then
 * {@link ReplayWindow#update}, only now that the tag verified, which also catches the
 * second of two copies in one batch; then the inner checks. A cleartext frame gets the
 * inner checks only: classify decides which cleartext frames are acceptable.
 */
public final class Decrypt implements Stage {
    private final SlotPool pool;
    private final Sessions sessions;
    private final int ourDirection;
    private final M13Header header = new M13Header();
    private final DropCounters drops = new DropCounters();
    private long events;
    private long opened;
    private long cleartext;

    /**
     * A decrypt stage over the pool's frames.
     *
     * @param ourDirection the receiver's own direction ({@link org.m13.wire.Direction}); frames
     *     carrying it are reflections
     */
    public Decrypt(SlotPool pool, Sessions sessions, int ourDirection) {
        this.pool = pool;
        this.sessions = sessions;
        this.ourDirection = ourDirection;
    }

    @Override
    public String role() {
        return "decrypt";
    }

    @Override
    public void onEvent(FrameEvent event) {
        if (event.isDropped()) {
            return;
        }
        events++;
        int length = event.length();
        header.wrap(pool.buffer(), pool.base(event.slot()) + event.offset());
        if (header.crypto() == Wire.CRYPTO_AES_256_GCM) {
            int keyPhase = header.keyPhase();
            AesGcm key = sessions.openKey(event.peer(), keyPhase);
            if (key == null) {
                drop(event, DropReason.NO_SESSION);
                return;
            }
            ReplayWindow window = sessions.replayWindow(event.peer(), keyPhase);
            long seq = header.nonceSeq();
            DropReason replay = DropReason.ofReplay(window.check(seq));
            if (replay != DropReason.NONE) {
                drop(event, replay);
                return;
            }
            int status = key.openFrame(pool.address() + header.sigIndex(), length - Wire.ETH_HEADER_BYTES,
                    ourDirection);
            if (status != AeadStatus.OK.code()) {
                drop(event, DropReason.ofAead(status));
                return;
            }
            replay = DropReason.ofReplay(window.update(seq));
            if (replay != DropReason.NONE) {
                drop(event, replay);
                return;
            }
            opened++;
            sessions.authenticated(event.peer(), pool.buffer(), pool.base(event.slot()) + event.offset());
        } else {
            cleartext++;
        }
        int inner = header.checkInner(length);
        if (inner != FrameStatus.OK.code()) {
            drop(event, DropReason.ofFrameStatus(inner));
        }
    }

    private void drop(FrameEvent event, DropReason reason) {
        event.drop(reason);
        drops.count(reason);
    }

    /** Frames seen (not already dropped when they arrived). */
    public long events() {
        return events;
    }

    /** Frames whose tag verified and that the replay window accepted. */
    public long opened() {
        return opened;
    }

    /** Cleartext frames passed to the inner checks. */
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
