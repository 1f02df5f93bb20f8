package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.m13.telemetry.DropReason;

class LinkTxTest {
    private final SlotPool pool = new SlotPool(2, 2048);
    private boolean linkHasRoom = true;
    private int lastIndex;
    private int lastLength;
    private final LinkTx linkTx = new LinkTx(pool, (buffer, index, length) -> {
        lastIndex = index;
        lastLength = length;
        return linkHasRoom;
    });

    @Test
    void handsTheFrameToTheLinkOrDropsItWhenTheLinkIsFull() {
        int slot = pool.alloc();
        FrameEvent e = new FrameEvent().received(slot, 42, 100, 0);
        linkTx.onEvent(e);
        assertEquals(DropReason.NONE, e.drop());
        assertEquals(pool.base(slot) + 42, lastIndex);
        assertEquals(100, lastLength);

        linkHasRoom = false;
        FrameEvent full = new FrameEvent().received(slot, 0, 62, 0);
        linkTx.onEvent(full);
        assertEquals(DropReason.LINK_FULL, full.drop());

        FrameEvent dropped = new FrameEvent().received(slot, 0, 62, 0).drop(DropReason.AUTH_FAILED);
        linkTx.onEvent(dropped);
        assertEquals(2, linkTx.events());
        assertEquals(1, linkTx.sent());
        assertEquals(100, linkTx.bytes());
        assertEquals(1, linkTx.drops(DropReason.LINK_FULL));
    }
}
