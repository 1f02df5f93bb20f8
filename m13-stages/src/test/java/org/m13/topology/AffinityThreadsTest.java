package org.m13.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link AffinityThreads}: names, pinning checked from inside the thread through
 * /proc/thread-self/status, the fallback to unpinned with one WARN line, and release of
 * the lock when the thread ends. The host is shared with other JVMs that may hold a core
 * (OpenHFT's lock files are host-wide), so "pinned" is asserted only when the core was
 * free; otherwise the reason must be there. Log lines are read back with {@link LogLines}.
 */
class AffinityThreadsTest {
    private static ThreadSpec spec(String name, int core) {
        return new ThreadSpec(name, List.of("parse"), WaitMode.YIELD, core);
    }

    /** The calling thread's allowed CPUs, as the kernel lists them ("0-1", "1"). */
    private static String cpusAllowed() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no Cpus_allowed_list in /proc/thread-self/status");
    }

    /** Runs {@code body} on the thread {@code threads} makes for {@code spec}; returns the CPUs it was allowed. */
    @CanIgnoreReturnValue
    private static String runOn(AffinityThreads threads, ThreadSpec spec, Runnable body) throws InterruptedException {
        AtomicReference<String> seen = new AtomicReference<>();
        AtomicReference<String> name = new AtomicReference<>();
        Thread t = threads.apply(spec).newThread(() -> {
            name.set(Thread.currentThread().getName());
            seen.set(cpusAllowed());
            body.run();
        });
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(t.isAlive(), "thread did not end");
        assertEquals("m13-" + spec.name(), name.get());
        return seen.get();
    }

    @Test
    void anyCoreRunsUnpinnedWithTheProcessCpusAndLogsNothing() throws InterruptedException {
        String before = cpusAllowed();
        AffinityThreads threads = new AffinityThreads();
        assertNull(threads.placement("m13-rx-any"));
        String inside = runOn(threads, spec("rx-any", ThreadSpec.UNPINNED), () -> { });
        assertEquals(before, inside);
        AffinityThreads.Placement p = threads.placement("m13-rx-any");
        assertFalse(p.pinned());
        assertEquals("m13-rx-any unpinned (core: any)", p.toString());
        assertEquals(List.of(), LogLines.about("m13-rx-any"));
    }

    @Test
    void core0IsPinnedWhenFreeOrTheThreadSaysWhyNot() throws InterruptedException {
        String before = cpusAllowed();
        AffinityThreads threads = new AffinityThreads();
        String inside = runOn(threads, spec("rx-pin", 0), () -> { });
        AffinityThreads.Placement p = threads.placement("m13-rx-pin");
        assertNotNull(p);
        if (p.pinned()) {
            assertEquals("0", inside);
            assertEquals(List.of("INFO thread m13-rx-pin pinned to core 0"), LogLines.about("m13-rx-pin"));
        } else {
            assertEquals(before, inside, "an unpinned thread keeps the process's CPUs");
            assertNotNull(p.reason());
            assertEquals(List.of("WARN thread m13-rx-pin runs unpinned: core 0 not taken: " + p.reason()),
                    LogLines.about("m13-rx-pin"));
        }
        System.out.println("AffinityThreadsTest: " + p);
        assertEquals(before, cpusAllowed(), "the test thread is left alone");
    }

    /** While a thread holds a core a second cannot take it; once the first ended, a third can. */
    @Test
    void aCoreIsHeldWhileTheThreadRunsAndReleasedWhenItEnds() throws InterruptedException {
        int core = Runtime.getRuntime().availableProcessors() - 1;
        AffinityThreads threads = new AffinityThreads();
        CountDownLatch pinned = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<String> firstCpus = new AtomicReference<>();
        Thread first = threads.apply(spec("hold", core)).newThread(() -> {
            firstCpus.set(cpusAllowed());
            pinned.countDown();
            try {
                assertTrue(done.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            first.start();
            assertTrue(pinned.await(10, TimeUnit.SECONDS));
            AffinityThreads.Placement held = threads.placement("m13-hold");
            assumeTrue(held.pinned(), "core " + core + " not free on this shared host: " + held.reason());
            assertEquals(Integer.toString(core), firstCpus.get());
            assertEquals(List.of("INFO thread m13-hold pinned to core " + core), LogLines.about("m13-hold"));

            String second = runOn(threads, spec("second", core), () -> { });
            AffinityThreads.Placement refused = threads.placement("m13-second");
            assertFalse(refused.pinned());
            assertTrue(refused.reason().contains("held by another thread"), refused.reason());
            assertNotEquals(Integer.toString(core), second, "the second thread is not bound to the held core");
            assertEquals(List.of("WARN thread m13-second runs unpinned: core " + core + " not taken: "
                    + refused.reason()), LogLines.about("m13-second"));

            done.countDown();
            first.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(first.isAlive());
            String third = runOn(threads, spec("third", core), () -> { });
            assertTrue(threads.placement("m13-third").pinned(), "lock released: " + threads.placement("m13-third"));
            assertEquals(Integer.toString(core), third);
            assertEquals(List.of("INFO thread m13-third pinned to core " + core), LogLines.about("m13-third"));
        } finally {
            done.countDown();
            first.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    @Test
    void aCoreTheMachineDoesNotHaveRunsUnpinnedWithOneWarning() throws InterruptedException {
        AffinityThreads threads = new AffinityThreads();
        boolean[] ran = {false};
        runOn(threads, spec("far", 4095), () -> ran[0] = true);
        assertTrue(ran[0]);
        AffinityThreads.Placement p = threads.placement("m13-far");
        assertFalse(p.pinned());
        assertTrue(p.reason().startsWith("this machine has "), p.reason());
        assertEquals(List.of("WARN thread m13-far runs unpinned: core 4095 not taken: " + p.reason()),
                LogLines.about("m13-far"));
    }

    @Test
    void withoutTheAffinityLibraryThreadsStillRun() throws InterruptedException {
        AffinityThreads threads = new AffinityThreads(core -> {
            throw new NoClassDefFoundError("com/sun/jna/Native");
        });
        boolean[] ran = {false};
        runOn(threads, spec("nojna", 1), () -> ran[0] = true);
        assertTrue(ran[0]);
        AffinityThreads.Placement p = threads.placement("m13-nojna");
        assertFalse(p.pinned());
        assertEquals("affinity library unavailable: java.lang.NoClassDefFoundError: com/sun/jna/Native", p.reason());
        assertEquals(List.of("WARN thread m13-nojna runs unpinned: core 1 not taken: " + p.reason()),
                LogLines.about("m13-nojna"));
    }

    @Test
    void theReleaseRunsOnTheThreadWhenItEnds() throws InterruptedException {
        AtomicReference<String> releasedBy = new AtomicReference<>();
        AffinityThreads threads = new AffinityThreads(core -> () -> releasedBy.set(Thread.currentThread().getName()));
        runOn(threads, spec("fake", 3), () -> assertNull(releasedBy.get()));
        assertEquals("m13-fake", releasedBy.get());
        assertEquals(List.of("INFO thread m13-fake pinned to core 3"), LogLines.about("m13-fake"));
        assertEquals("m13-fake pinned to core 3", threads.placement("m13-fake").toString());
    }
}
