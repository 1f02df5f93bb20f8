package org.m13.sys;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A native resource (a pointer or packed descriptors) owned by one Java object, freed
 * exactly once: by {@link #close()} or, if the owner is dropped without closing, by a
 * Cleaner. Every JNI owner in M13 keeps its resource in one of these, so the
 * free-once logic and the cleaner thread exist once.
 *
 * <p>The release function is called with the last value; it must not capture the
 * owner (pass a static method reference), or the owner never becomes unreachable.
 * After release, {@link #get()} returns the closed value, which native hot calls treat
 * as "closed" (a null handle, or -1 descriptors that give -EBADF).
 */
public final class NativeHandle {
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "m13-native-cleaner");
        t.setDaemon(true);
        return t;
    });

    private final AtomicLong value;
    private final long closedValue;
    private final Cleaner.Cleanable cleanable;

    /**
     * @param owner       the object whose unreachability frees the resource
     * @param value       the live resource
     * @param closedValue what {@link #get()} returns once released (0 for pointers, -1 for descriptors)
     * @param release     frees a live value; must not refer to {@code owner}
     */
    public NativeHandle(Object owner, long value, long closedValue, LongConsumer release) {
        AtomicLong cell = new AtomicLong(value);
        this.value = cell;
        this.closedValue = closedValue;
        this.cleanable = CLEANER.register(owner, () -> {
            long last = cell.getAndSet(closedValue);
            if (last != closedValue) {
                release.accept(last);
            }
        });
    }

    /** The live value, or the closed value after release (one volatile read: hot-path safe). */
    public long get() {
        return value.get();
    }

    public boolean isClosed() {
        return value.get() == closedValue;
    }

    /** Releases now; idempotent and safe against a concurrent Cleaner run. */
    public void close() {
        cleanable.clean();
    }
}
