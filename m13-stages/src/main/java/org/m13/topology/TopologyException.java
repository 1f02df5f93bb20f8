package org.m13.topology;

/** A topology that cannot run, with the source (file, and line when known) and the place in it that is wrong. */
public final class TopologyException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String where;
    private final String problem;

    public TopologyException(String source, String where, String problem) {
        super(source + ": " + where + ": " + problem);
        this.source = source;
        this.where = where;
        this.problem = problem;
    }

    public String source() {
        return source;
    }

    /** The place: {@code ring rx}, {@code ring rx, thread rx-0}, {@code threads}, {@code stages}. */
    public String where() {
        return where;
    }

    public String problem() {
        return problem;
    }
}
