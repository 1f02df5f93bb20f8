package org.m13.sys;

/**
 * Network namespaces for the calling thread only ({@code setns(CLONE_NEWNET)}).
 *
 * <p>A thread that entered a namespace opens its TUN devices, AF_XDP sockets and UDP
 * sockets there; those keep belonging to that namespace when other threads use them.
 * Enter on a dedicated platform thread that does nothing else (a pooled thread
 * would carry the namespace into unrelated work).
 */
public final class Netns {
    /** Where {@code ip netns add} binds named namespaces. */
    public static final String RUN_DIRECTORY = "/var/run/netns/";

    private Netns() {
    }

    /** Moves the calling thread into the namespace {@code ip netns add <name>} created. */
    public static void enter(String name) {
        if (name.isEmpty() || name.contains("/") || name.startsWith(".")) {
            throw new IllegalArgumentException("not a namespace name: " + name);
        }
        enterPath(RUN_DIRECTORY + name);
    }

    /** Moves the calling thread into the namespace behind a file such as /proc/1/ns/net. */
    public static void enterPath(String path) {
        Native.ensureAvailable();
        enter0(path);
    }

    /** An identifier of the calling thread's namespace (its inode number). */
    public static long currentId() {
        Native.ensureAvailable();
        return currentId0();
    }

    private static native void enter0(String path);

    private static native long currentId0();
}
