package org.m13.daemon;

import java.util.ArrayDeque;

/**
 * Closes the keys of replaced sessions once no stage can still be using them: a
 * session removed from the {@link PeerTable} may be in the hands of decrypt or seal for
 * the frame they are on, so its native keys are freed only after a grace period.
 * Control thread only.
 */
public final class SessionReaper {
    private record Retired(Session session, long atNanos) {
    }

    private final long graceNanos;
    private final ArrayDeque<Retired> retired = new ArrayDeque<>();
    private long closed;

    public SessionReaper(long graceNanos) {
        this.graceNanos = graceNanos;
    }

    /** Schedules {@code session} (null: nothing) for closing {@code graceNanos} after {@code nowNanos}. */
    public void retire(Session session, long nowNanos) {
        if (session != null) {
            retired.add(new Retired(session, nowNanos));
        }
    }

    /** Closes what is past its grace. */
    public void onTick(long nowNanos) {
        while (!retired.isEmpty() && nowNanos - retired.peek().atNanos() >= graceNanos) {
            retired.poll().session().close();
            closed++;
        }
    }

    /** Closes everything (at exit, once the stages have stopped). */
    public void closeAll() {
        while (!retired.isEmpty()) {
            retired.poll().session().close();
            closed++;
        }
    }

    public int pending() {
        return retired.size();
    }

    public long closed() {
        return closed;
    }
}
