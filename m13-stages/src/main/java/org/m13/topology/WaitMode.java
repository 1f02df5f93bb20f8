package org.m13.topology;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import java.util.Locale;

/**
 * How a consumer thread waits for work: the closed vocabulary of topology files
 * ({@code wait: spin|yield|backoff|block}). Only {@link #SPIN} holds its core whatever
 * happens; on this 2-core machine a busy-spin chain with more threads than cores ran
 * about 5x slower than yielding, so spinning threads are counted against free cores.
 */
public enum WaitMode {
    /** Busy-spin: lowest latency, owns a core. */
    SPIN("spin"),
    /** Spin briefly, then {@link Thread#yield()}. */
    YIELD("yield"),
    /** Spin, yield, then park for growing intervals. */
    BACKOFF("backoff"),
    /** Lock and condition: no CPU while idle (PQC, control). */
    BLOCK("block");

    private final String label;

    WaitMode(String label) {
        this.label = label;
    }

    /** The name used in topology files. */
    public String label() {
        return label;
    }

    /** Whether the thread keeps its core busy while idle. */
    public boolean spins() {
        return this == SPIN;
    }

    /** A new Disruptor wait strategy of this kind (one per ring). */
    public WaitStrategy strategy() {
        return switch (this) {
            case SPIN -> new BusySpinWaitStrategy();
            case YIELD -> new YieldingWaitStrategy();
            case BACKOFF -> new SleepingWaitStrategy();
            case BLOCK -> new BlockingWaitStrategy();
        };
    }

    /**
     * The mode named {@code label} in a topology file.
     *
     * @throws IllegalArgumentException naming the valid labels
     */
    public static WaitMode ofLabel(String label) {
        for (WaitMode m : values()) {
            if (m.label.equals(label.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown wait '" + label + "' (spin, yield, backoff or block)");
    }
}
