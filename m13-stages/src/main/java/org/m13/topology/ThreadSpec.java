package org.m13.topology;

import java.util.List;
import java.util.Objects;

/**
 * One consumer thread: its name, the stages it runs back to back (by role), how it
 * waits, and the core it is pinned to ({@link #UNPINNED} for none).
 */
public record ThreadSpec(String name, List<String> stages, WaitMode waitMode, int core) {
    public static final int UNPINNED = -1;

    public ThreadSpec {
        Objects.requireNonNull(name, "name");
        stages = List.copyOf(stages);
        Objects.requireNonNull(waitMode, "waitMode");
    }

    public boolean pinned() {
        return core != UNPINNED;
    }
}
