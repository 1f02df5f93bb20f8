package org.m13.stage;

import org.m13.telemetry.DropReason;
import org.m13.wire.Flags;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * Decides where a frame goes: its {@link Disposition}, from the flags byte by the seed's
 * priority FIN, FEEDBACK, FRAGMENT, HANDSHAKE, CONTROL, TUNNEL, FEC, else REGISTRATION
 * (the first flag set wins; a handshake fragment, CONTROL | HANDSHAKE | FRAGMENT, is a
 * FRAGMENT).
 *
 * <p>It also refuses what a frame may not be. Cleartext is allowed only where the
 * protocol sends it (docs/PROTOCOL.md: registration, echo, handshake): REGISTRATION,
 * CONTROL, HANDSHAKE, and FRAGMENT of a handshake message; a cleartext FIN, FEEDBACK,
 * TUNNEL, FEC or non-handshake fragment would let anyone inject or tear down traffic
 * ({@link DropReason#CLEARTEXT_REFUSED}). A frame from an unknown peer may only register
 * ({@link DropReason#UNKNOWN_PEER}).
 */
public final class Classify implements Stage {
    private final SlotPool pool;
    private final M13Header header = new M13Header();
    private final DropCounters drops = new DropCounters();
    private final long[] classified = new long[Disposition.ID_LIMIT];
    private long events;

    public Classify(SlotPool pool) {
        this.pool = pool;
    }

    /** The disposition of a frame with these flags, by the classify priority. */
    public static Disposition dispositionOf(int flags) {
        if ((flags & Flags.FIN) != 0) {
            return Disposition.FIN;
        }
        if ((flags & Flags.FEEDBACK) != 0) {
            return Disposition.FEEDBACK;
        }
        if ((flags & Flags.FRAGMENT) != 0) {
            return Disposition.FRAGMENT;
        }
        if ((flags & Flags.HANDSHAKE) != 0) {
            return Disposition.HANDSHAKE;
        }
        if ((flags & Flags.CONTROL) != 0) {
            return Disposition.CONTROL;
        }
        if ((flags & Flags.TUNNEL) != 0) {
            return Disposition.TUNNEL;
        }
        if ((flags & Flags.FEC) != 0) {
            return Disposition.FEC;
        }
        return Disposition.REGISTRATION;
    }

    /** Whether a cleartext frame with these flags may be accepted. */
    public static boolean cleartextAllowed(int flags) {
        return switch (dispositionOf(flags)) {
            case REGISTRATION, CONTROL, HANDSHAKE -> true;
            case FRAGMENT -> (flags & Flags.HANDSHAKE) != 0;
            case PENDING, FIN, FEEDBACK, TUNNEL, FEC -> false;
        };
    }

    @Override
    public String role() {
        return "classify";
    }

    @Override
    public void onEvent(FrameEvent event) {
        if (event.isDropped()) {
            return;
        }
        events++;
        header.wrap(pool.buffer(), pool.base(event.slot()) + event.offset());
        int flags = header.flags();
        Disposition disposition = dispositionOf(flags);
        event.disposition(disposition);
        if (header.crypto() == Wire.CRYPTO_CLEARTEXT && !cleartextAllowed(flags)) {
            drop(event, DropReason.CLEARTEXT_REFUSED);
            return;
        }
        if (event.peer() == FrameEvent.NO_PEER && disposition != Disposition.REGISTRATION) {
            drop(event, DropReason.UNKNOWN_PEER);
            return;
        }
        classified[disposition.id()]++;
    }

    private void drop(FrameEvent event, DropReason reason) {
        event.drop(reason);
        drops.count(reason);
    }

    /** Frames seen (not already dropped when they arrived). */
    public long events() {
        return events;
    }

    /** Frames accepted with this disposition. */
    public long classified(Disposition disposition) {
        return classified[disposition.id()];
    }

    public long drops(DropReason reason) {
        return drops.get(reason);
    }

    public DropCounters drops() {
        return drops;
    }
}
