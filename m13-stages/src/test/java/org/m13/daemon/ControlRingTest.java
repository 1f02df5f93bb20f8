package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.m13.stage.Disposition;
import org.m13.stage.FrameEvent;
import org.m13.stage.Sink;
import org.m13.telemetry.DropReason;
import org.m13.wire.Wire;

class ControlRingTest {
    record Seen(Disposition disposition, int peer, long source, long mac, boolean authenticated, List<Byte> body) {
    }

    private static List<Byte> bytes(byte[] b, int length) {
        List<Byte> out = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            out.add(b[i]);
        }
        return out;
    }

    private static ByteBuffer frame(int at, long mac, int crypto, byte[] body, int srcIp, int srcPort) {
        ByteBuffer b = ByteBuffer.allocate(at + Wire.MIN_FRAME_BYTES + body.length);
        b.putShort(at + 6, (short) (mac >>> 32)).putInt(at + 8, (int) mac);
        b.put(at + 14 + 2, (byte) crypto);
        b.put(at + Wire.MIN_FRAME_BYTES, body);
        if (at >= Wire.UDP_HUB_FRAME_OFFSET) {
            b.putInt(at + Outer.SOURCE_IP, srcIp).putShort(at + Outer.SOURCE_PORT, (short) srcPort);
        }
        return b;
    }

    @Test
    void scatterHandsTheControlThreadACopyWithWhoSentIt() throws Exception {
        ArrayBlockingQueue<Seen> seen = new ArrayBlockingQueue<>(4);
        try (ControlRing ring = new ControlRing("test-control", 8, 5_000_000L, true, new ControlRing.Handler() {
            @Override
            public void onMessage(ControlEvent e, long nowNanos) {
                seen.add(new Seen(e.disposition(), e.peer(), e.source(), e.mac(), e.authenticated(),
                        bytes(e.body(), e.length())));
            }

            @Override
            public void onTick(long nowNanos) {
            }
        })) {
            ring.start();
            int at = Wire.UDP_HUB_FRAME_OFFSET;
            byte[] body = {1, 2, 3, 4, 5};
            ByteBuffer b = frame(at, 0x0200_1122_3344L, Wire.CRYPTO_AES_256_GCM, body, 0xC633_6402, 40000);
            FrameEvent event = new FrameEvent().received(0, at, Wire.MIN_FRAME_BYTES + body.length, 7)
                    .peer(3).disposition(Disposition.CONTROL);
            Sink sink = ring.sink();
            assertEquals(DropReason.NONE, sink.deliver(event, b, at + Wire.MIN_FRAME_BYTES, body.length));
            body[0] = 99; // the ring holds its own copy
            b.put(at + Wire.MIN_FRAME_BYTES, (byte) 99);
            Seen s = seen.poll(5, TimeUnit.SECONDS);
            assertEquals(Disposition.CONTROL, s.disposition());
            assertEquals(3, s.peer());
            assertEquals("198.51.100.2:40000", Outer.toString(s.source()));
            assertEquals(0x0200_1122_3344L, s.mac());
            assertTrue(s.authenticated());
            assertEquals(List.of((byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5), s.body());
            assertEquals(DropReason.BAD_LENGTH, sink.deliver(event, ByteBuffer.allocate(4096), 100,
                    ControlEvent.MAX_BODY + 1), "larger than any control message");
        }
    }

    @Test
    void aFullRingRefusesAndTheTimerTicksWithoutTraffic() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ticks = new AtomicInteger();
        try (ControlRing ring = new ControlRing("test-control", 2, 2_000_000L, false, new ControlRing.Handler() {
            @Override
            public void onMessage(ControlEvent e, long nowNanos) {
                try {
                    release.await(); // a slow handshake: the ring fills up behind it
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onTick(long nowNanos) {
                ticks.incrementAndGet();
            }
        })) {
            ring.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (ticks.get() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(ticks.get() >= 3, "ticks while idle: " + ticks.get());
            byte[] body = {9};
            ByteBuffer b = frame(0, 1, Wire.CRYPTO_CLEARTEXT, body, 0, 0);
            FrameEvent event = new FrameEvent().received(0, 0, Wire.MIN_FRAME_BYTES + 1, 0)
                    .disposition(Disposition.HANDSHAKE);
            DropReason last = DropReason.NONE;
            for (int i = 0; i < 4 && last == DropReason.NONE; i++) {
                last = ring.sink().deliver(event, b, Wire.MIN_FRAME_BYTES, 1);
            }
            assertEquals(DropReason.DESTINATION_FULL, last, "2 events: the third offer finds no room");
            assertEquals(1, ring.full());
            release.countDown();
        }
    }
}
