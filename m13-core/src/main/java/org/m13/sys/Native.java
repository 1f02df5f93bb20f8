package org.m13.sys;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one JNI library M13 builds ({@code native/target/libm13.so}), loaded once from
 * the path in the system property {@value #LIBRARY_PROPERTY} (the launcher and the
 * test runner set it). Loading is probed once: {@link #isAvailable()} and
 * {@link #unavailabilityCause()} say whether and why not, so callers and tests can
 * report it instead of failing with {@link UnsatisfiedLinkError} somewhere deep.
 */
public final class Native {
    public static final String LIBRARY_PROPERTY = "m13.native.library";

    /** Must match M13_NATIVE_ABI in native/src/m13_jni.c. */
    static final int EXPECTED_ABI = 3;

    /** Why loading failed, or null when the library is usable. */
    private static final String UNAVAILABILITY_CAUSE = load();

    private Native() {
    }

    private static String load() {
        String path = System.getProperty(LIBRARY_PROPERTY);
        if (path == null || path.isBlank()) {
            return "system property " + LIBRARY_PROPERTY
                    + " is not set (run through ./m13, which builds and points to native/target/libm13.so)";
        }
        Path library = Path.of(path).toAbsolutePath();
        if (!Files.isReadable(library)) {
            return "native library " + library + " does not exist or is not readable (build it with ./m13 build)";
        }
        try {
            System.load(library.toString());
            int abi = abi();
            if (abi != EXPECTED_ABI) {
                return "native library " + library + " has ABI " + abi + ", this code expects " + EXPECTED_ABI
                        + " (rebuild with ./m13 build)";
            }
            return null;
        } catch (UnsatisfiedLinkError e) {
            return "cannot load native library " + library + ": " + e.getMessage();
        }
    }

    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why the library could not be used, or null when it is available. */
    public static String unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** Throws, naming the cause, unless the library is loaded. */
    public static void ensureAvailable() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw new IllegalStateException("M13 native library unavailable: " + UNAVAILABILITY_CAUSE);
        }
    }

    /** The native address of a direct buffer's first byte (a cold call: once per region). */
    static long addressOf(ByteBuffer direct) {
        ensureAvailable();
        return bufferAddress(direct);
    }

    /** The C library's text for an errno value, with the number: "No such device (errno 19)". */
    public static String errnoText(int errno) {
        ensureAvailable();
        return errnoText0(errno);
    }

    /**
     * Turns the result of a hot call into an exception when it is negative ({@code -errno}),
     * naming the operation and the errno text; returns {@code result} otherwise.
     */
    @CanIgnoreReturnValue
    public static int check(String operation, int result) {
        if (result < 0) {
            throw new IllegalStateException(operation + ": " + errnoText0(-result));
        }
        return result;
    }

    /**
     * Copies {@code length} bytes between native addresses (regions may overlap). For
     * in-memory links and TUN devices in tests and benchmarks, where a copy stands for the
     * wire; the caller guarantees both ranges are valid.
     */
    public static void copy(long from, long to, int length) {
        copy0(from, to, length);
    }

    private static native void copy0(long from, long to, int length);

    private static native int abi();

    private static native String errnoText0(int errno);

    private static native long bufferAddress(ByteBuffer buffer);
}
