package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.m13.telemetry.DropReason;

class FusedHandlerTest {
    private final SlotPool pool = new SlotPool(4, 2048);
    private final List<String> trace = new ArrayList<>();

    private Stage tracing(String role) {
        return new Stage() {
            @Override
            public String role() {
                return role;
            }

            @Override
            public void onEvent(FrameEvent event) {
                trace.add(role + (event.isDropped() ? "(dropped)" : ""));
            }

            @Override
            public void onBatchStart(long batchSize, long queueDepth) {
                trace.add(role + ".batch " + batchSize + "/" + queueDepth);
            }

            @Override
            public void onStart() {
                trace.add(role + ".start");
            }

            @Override
            public void onShutdown() {
                trace.add(role + ".shutdown");
            }
        };
    }

    @Test
    void runsFusedStagesBackToBackInOrder() {
        FusedHandler h = new FusedHandler("rx", tracing("a"), tracing("b"), new Release(pool, () -> 0));
        h.onStart();
        h.onBatchStart(2, 5);
        h.onEvent(new FrameEvent().received(pool.alloc(), 0, 62, 0), 0, false);
        h.onEvent(new FrameEvent().received(pool.alloc(), 0, 62, 0), 1, true);
        h.onBatchStart(7, 1);
        h.onShutdown();
        assertEquals(List.of("a.start", "b.start", "a.batch 2/5", "b.batch 2/5", "a", "b", "a", "b",
                "a.batch 7/1", "b.batch 7/1", "a.shutdown", "b.shutdown"), trace);
        assertEquals(0, pool.inUse());
        assertEquals(2, h.events());
        assertEquals(2, h.batches());
        assertEquals(7, h.maxBatch());
        assertEquals(5, h.maxQueueDepth());
        assertEquals("rx: a -> b -> release", h.describe());
    }

    /** A throwing stage costs one frame, not the thread: the frame is dropped and its slot still freed. */
    @Test
    void aStageThatThrowsDropsTheFrameAndReleaseStillFreesIt() {
        IllegalStateException boom = new IllegalStateException("boom");
        Stage faulty = new Stage() {
            @Override
            public String role() {
                return "faulty";
            }

            @Override
            public void onEvent(FrameEvent event) {
                if (event.length() == 99) {
                    throw boom;
                }
            }
        };
        Release release = new Release(pool, () -> 0);
        FusedHandler h = new FusedHandler("rx", faulty, tracing("after"), release);
        h.onEvent(new FrameEvent().received(pool.alloc(), 0, 99, 0), 0, false);
        h.onEvent(new FrameEvent().received(pool.alloc(), 0, 62, 0), 1, true);
        h.onEvent(new FrameEvent().received(pool.alloc(), 0, 99, 0), 2, true);
        assertEquals(List.of("after(dropped)", "after", "after(dropped)"), trace);
        assertEquals(2, h.faults(0));
        assertSame(boom, h.firstFault(0));
        assertEquals(0, h.faults(1));
        assertEquals(2, release.drops(DropReason.STAGE_FAULT));
        assertEquals(0, pool.inUse());
        assertThrows(IllegalArgumentException.class, () -> new FusedHandler("empty"));
    }
}
