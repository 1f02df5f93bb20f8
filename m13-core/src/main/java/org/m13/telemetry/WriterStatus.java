package org.m13.telemetry;

/** What a reader can tell about the writer from the header. */
public enum WriterStatus {
    /** Process present, heartbeat fresh. */
    ALIVE("writer alive"),
    /** Process present but the heartbeat stopped: hung, or stopped in a debugger. */
    STALE("writer's heartbeat is stale (hung or stopped?)"),
    /** The writer's process is gone: it died without removing the file. */
    DEAD("writer process is gone (died without removing the file)"),
    /** The writer closed the file (it is about to disappear). */
    CLOSED("writer closed the file");

    private final String description;

    WriterStatus(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
