package org.m13.topology;

import java.util.List;
import java.util.Objects;

/** One ring: its name, size in events, and the threads that consume it in line. */
public record RingSpec(String name, int size, List<ThreadSpec> threads) {
    public RingSpec {
        Objects.requireNonNull(name, "name");
        threads = List.copyOf(threads);
    }
}
