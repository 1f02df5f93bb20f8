package org.m13.stage;

import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.m13.telemetry.DropReason;

/**
 * A stage's own counters as telemetry exports them: what {@link FusedHandler} copies into
 * the stage's record (its {@code telemetry(...)}). The stage counts on its thread in plain
 * fields; these getters are read by that same thread, now and then, off the frame path.
 *
 * <p>A stage may implement this interface itself. The stages built before it already have
 * methods of this shape ({@code events()}, {@code drops(DropReason)}, and {@code bytes()}
 * on the link side) and are adapted by {@link #of(Stage)}; once each declares
 * {@code implements StageCounters}, its adapter line goes.
 */
public interface StageCounters {
    /** For a stage that counts nothing: all zero. */
    StageCounters NONE = of(() -> 0, reason -> 0);

    /** Frames the stage handled. */
    long events();

    /** Frame bytes the stage handled, or 0 where it does not know them. */
    default long bytes() {
        return 0;
    }

    /** Frames the stage dropped for {@code reason}. */
    long drops(DropReason reason);

    /**
     * The counters of {@code stage}: the stage itself if it implements this interface,
     * else an adapter over the stage's getters, else {@link #NONE}. Set-up time (allocates).
     * Release's events are every event it saw and its drops are the ring's, by reason.
     */
    static StageCounters of(Stage stage) {
        Objects.requireNonNull(stage, "stage");
        if (stage instanceof StageCounters own) {
            return own;
        }
        if (stage instanceof Parse s) {
            return of(s::events, s::drops);
        }
        if (stage instanceof Decrypt s) {
            return of(s::events, s::drops);
        }
        if (stage instanceof Classify s) {
            return of(s::events, s::drops);
        }
        if (stage instanceof Scatter s) {
            return of(s::events, s::drops);
        }
        if (stage instanceof Release s) {
            return of(() -> s.released() + s.handedOff() + s.slotless(), s::drops);
        }
        if (stage instanceof Seal s) {
            return of(s::events, s::drops);
        }
        if (stage instanceof LinkTx s) {
            return of(s::events, s::bytes, s::drops);
        }
        if (stage instanceof Scheduler s) {
            return of(s::events, s::bytes, s::drops);
        }
        return NONE;
    }

    private static StageCounters of(LongSupplier events, ToLongFunction<DropReason> drops) {
        return of(events, () -> 0, drops);
    }

    private static StageCounters of(LongSupplier events, LongSupplier bytes, ToLongFunction<DropReason> drops) {
        return new StageCounters() {
            @Override
            public long events() {
                return events.getAsLong();
            }

            @Override
            public long bytes() {
                return bytes.getAsLong();
            }

            @Override
            public long drops(DropReason reason) {
                return drops.applyAsLong(reason);
            }
        };
    }
}
