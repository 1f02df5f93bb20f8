package org.m13.sys;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * {@link NetnsFixture} for root tests in other packages (the fixture itself stays
 * package-private): namespaces {@code m13t-<tag>-<role>}, veth pairs, threads inside
 * a namespace, all removed by {@link #close()} even after a failure.
 */
public final class NetnsTestKit implements AutoCloseable {
    private final NetnsFixture fixture = new NetnsFixture();

    /** Skips the calling test, with the reason, unless root with the native library. */
    public static void assumeRootAndNative() {
        NetnsFixture.assumeRootAndNative();
    }

    public String link(String suffix) {
        return fixture.link(suffix);
    }

    public String namespace(String role) {
        return fixture.namespace(role);
    }

    public void veth(String nameA, String nsA, String nameB, String nsB) {
        fixture.veth(nameA, nsA, nameB, nsB);
    }

    public ExecutorService threadIn(String ns) {
        return fixture.threadIn(ns);
    }

    public <T> T callIn(String ns, Callable<T> task) throws Exception {
        return fixture.callIn(ns, task);
    }

    public static <T> T await(Future<T> future) throws Exception {
        return NetnsFixture.await(future);
    }

    @CanIgnoreReturnValue
    public static String ip(String... args) {
        return NetnsFixture.ip(args);
    }

    @Override
    public void close() {
        fixture.close();
    }
}
