package org.m13.stage;

import org.m13.telemetry.DropReason;

/**
 * Last send stage before release: hands each sealed frame to the link. A frame the link
 * cannot take is dropped as {@link DropReason#LINK_FULL}; release frees its slot either way.
 * Unpaced chains only: on a paced chain the {@link Scheduler} sends to the link itself.
 */
public final class LinkTx implements Stage {
    private final SlotPool pool;
    private final LinkSender link;
    private final DropCounters drops = new DropCounters();
    private long events;
    private long sent;
    private long bytes;

    public LinkTx(SlotPool pool, LinkSender link) {
        this.pool = pool;
        this.link = link;
    }

    @Override
    public String role() {
        return "link-tx";
    }

    @Override
    public void onEvent(FrameEvent event) {
        if (event.isDropped()) {
            return;
        }
        events++;
        if (!link.send(pool.buffer(), pool.base(event.slot()) + event.offset(), event.length())) {
            event.drop(DropReason.LINK_FULL);
            drops.count(DropReason.LINK_FULL);
            return;
        }
        sent++;
        bytes += event.length();
    }

    /** Frames seen (not already dropped when they arrived). */
    public long events() {
        return events;
    }

    public long sent() {
        return sent;
    }

    /** Frame bytes handed to the link. */
    public long bytes() {
        return bytes;
    }

    public long drops(DropReason reason) {
        return drops.get(reason);
    }

    public DropCounters drops() {
        return drops;
    }
}
