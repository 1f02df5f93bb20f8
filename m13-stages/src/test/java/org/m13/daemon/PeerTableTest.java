package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.m13.crypto.AesGcm;
import org.m13.stage.FrameEvent;
import org.m13.wire.Wire;

class PeerTableTest {
    private static AesGcm key(int fill) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) fill);
        return AesGcm.withKey(k);
    }

    private static Session session(int fill, int phase) {
        return new Session(key(fill), key(fill + 1), phase);
    }

    @Test
    void framesFindTheirPeerByMacAndSlotsAreReused() {
        PeerTable t = PeerTable.hub(2);
        int a = t.add(0x0200_0000_0001L, Outer.address(0xC633_6402, 40000));
        int b = t.add(0x0200_0000_0002L, 1);
        assertEquals(0, a);
        assertEquals(1, b);
        assertEquals(FrameEvent.NO_PEER, t.add(0x0200_0000_0003L, 2), "full");
        ByteBuffer frame = ByteBuffer.allocate(64);
        frame.putShort(6, (short) 0x0200).putInt(8, 2); // source MAC 02:00:00:00:00:02
        assertEquals(b, t.peerOf(frame, 0));
        assertEquals(2, t.remove(b).length, "current and previous session handed back");
        assertEquals(FrameEvent.NO_PEER, t.peerOf(frame, 0), "removed");
        assertEquals(1, t.add(0x0200_0000_0003L, 2), "the freed index is taken again");
    }

    @Test
    void tunnelAddressesRouteTheSendSideAndMoveCleanly() {
        PeerTable t = PeerTable.hub(4);
        int p = t.add(1, 1);
        int q = t.add(2, 2);
        t.tunnelAddress(p, 0x0A0D_0002);
        t.tunnelAddress(q, 0x0A0D_0003);
        assertEquals(p, t.byTunnelAddress(0x0A0D_0002));
        assertEquals(q, t.byTunnelAddress(0x0A0D_0003));
        assertEquals(FrameEvent.NO_PEER, t.byTunnelAddress(0x0B0D_0002), "same host part, other network");
        t.tunnelAddress(q, 0x0A0D_0002); // q takes p's address (p is about to be evicted)
        assertEquals(q, t.byTunnelAddress(0x0A0D_0002));
        var unused = t.remove(p); // removing p must not clear the entry q owns now
        assertEquals(q, t.byTunnelAddress(0x0A0D_0002));
        assertEquals(FrameEvent.NO_PEER, t.byTunnelAddress(0x0A0D_0003));
    }

    @Test
    void keyPhaseFindsCurrentOrPreviousSession() {
        PeerTable t = PeerTable.hub(1);
        int p = t.add(1, 1);
        Session s0 = session(1, 0);
        Session s1 = session(3, 1);
        assertNull(t.install(p, s0));
        assertNull(t.install(p, s1), "s0 becomes previous, nothing displaced");
        assertSame(s1.openKey(), t.openKey(p, 1));
        assertSame(s0.openKey(), t.openKey(p, 0), "the previous phase still opens (grace)");
        assertSame(s0.window(), t.replayWindow(p, 0));
        assertSame(s0, t.dropPrevious(p));
        assertNull(t.openKey(p, 0));
        assertNull(t.openKey(5, 0), "out of range");
        s0.close();
        s1.close();
    }

    @Test
    void sealUsesOneSessionForKeyAndCounterEvenIfReplacedInBetween() {
        PeerTable t = PeerTable.node();
        Session first = session(1, 0);
        var unused = t.install(0, first);
        assertSame(first.sendKey(), t.sealKey(0));
        assertEquals(0, t.nextSeq(0));
        AesGcm key = t.sealKey(0);
        Session second = session(5, 0);
        var displaced = t.install(0, second); // the control thread installs between sealKey and nextSeq
        assertSame(first.sendKey(), key);
        assertEquals(1, t.nextSeq(0), "the counter of the key handed out, not of the new session (seq 0 again)");
        assertSame(second.sendKey(), t.sealKey(0));
        assertEquals(0, t.nextSeq(0), "the new session starts at 0 with its own key");
        assertNull(displaced);
        first.close();
        second.close();
    }

    @Test
    void authenticatedFramesCountAndTheHubFollowsANewAddress() {
        PeerTable t = PeerTable.hub(1);
        int p = t.add(1, Outer.address(0xC633_6402, 40000));
        ByteBuffer b = ByteBuffer.allocate(128);
        int frame = Wire.UDP_HUB_FRAME_OFFSET;
        b.putInt(frame + Outer.SOURCE_IP, 0xC633_6409).putShort(frame + Outer.SOURCE_PORT, (short) 50000);
        t.authenticated(p, b, frame);
        assertEquals(1, t.heard(p));
        assertEquals("198.51.100.9:50000", Outer.toString(t.address(p)));
        PeerTable node = PeerTable.node();
        node.authenticated(0, b, frame);
        assertEquals(0, node.address(0), "the node has one peer on a connected socket: nothing to follow");
    }

    @Test
    void noSessionMeansNoKey() {
        PeerTable t = PeerTable.node();
        assertNull(t.sealKey(0));
        assertNull(t.sealKey(-1));
    }
}
