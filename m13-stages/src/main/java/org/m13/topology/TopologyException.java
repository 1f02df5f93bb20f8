package org.m13.topology;

/** A topology that cannot run, with the source (file) and the place in it that is wrong. */
public final class TopologyException extends Exception {
    private static final long serialVersionUID = 1L;

    public TopologyException(String source, String where, String problem) {
        super(source + ": " + where + ": " + problem);
    }
}
