package org.m13.daemon;

import org.m13.stage.FrameEvent;
import org.m13.stage.LinkTx;
import org.m13.stage.SlotPool;
import org.m13.stage.Stage;
import org.m13.stage.StageCounters;
import org.m13.telemetry.DropReason;

/**
 * link-tx over AF_XDP: {@link LinkTx} (counting and dropping as on every backend) plus
 * the batch boundaries the {@link XdpLinkSender} needs to hand frames to the TX ring
 * once per ring batch instead of once per frame (one {@code sendto} kick then moves up
 * to 32 frames in copy mode).
 */
public final class XdpLinkTx implements Stage, StageCounters {
    private final LinkTx linkTx;
    private final XdpLinkSender sender;

    public XdpLinkTx(SlotPool pool, XdpLinkSender sender) {
        this.linkTx = new LinkTx(pool, sender);
        this.sender = sender;
    }

    @Override
    public String role() {
        return linkTx.role();
    }

    @Override
    public void onBatchStart(long batchSize, long queueDepth) {
        sender.beginBatch(batchSize);
        linkTx.onBatchStart(batchSize, queueDepth);
    }

    @Override
    public void onEvent(FrameEvent event) {
        try {
            linkTx.onEvent(event);
        } finally {
            sender.eventDone();
        }
    }

    @Override
    public void onShutdown() {
        sender.flush();
    }

    @Override
    public long events() {
        return linkTx.events();
    }

    @Override
    public long bytes() {
        return linkTx.bytes();
    }

    @Override
    public long drops(DropReason reason) {
        return linkTx.drops(reason);
    }

    public LinkTx linkTx() {
        return linkTx;
    }
}
