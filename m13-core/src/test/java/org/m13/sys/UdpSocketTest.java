package org.m13.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Native UDP sockets on the loopback of the JVM's namespace (no privileges). */
class UdpSocketTest {
    private static InetSocketAddress loopback(int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port);
    }

    @Test
    void batchesGoThroughSendmmsgAndRecvmmsg() throws Exception {
        try (UdpSocket receiver = UdpSocket.open(loopback(0), null, 1 << 20);
                UdpSocket sender = UdpSocket.open(loopback(0), loopback(receiver.localPort()), 0)) {
            OffHeap out = OffHeap.allocate(100);
            out.buffer().putLong(0, 0x0123_4567_89AB_CDEFL);
            assertEquals(UdpSocket.MAX_BATCH, sender.sendBatch(out.address(), 100, 1000), "capped at one batch");
            OffHeap in = OffHeap.allocate(UdpSocket.MAX_BATCH * 128);
            int received = 0;
            while (received < UdpSocket.MAX_BATCH) {
                int n = Native.check("recvmmsg", receiver.receiveBatch(in.address(), 128, UdpSocket.MAX_BATCH));
                for (int i = 0; i < n; i++) {
                    assertEquals(0x0123_4567_89AB_CDEFL, in.buffer().getLong(i * 128));
                }
                received += n;
                assertTrue(n > 0, "loopback delivers synchronously");
            }
            assertEquals(0, receiver.receiveBatch(in.address(), 128, UdpSocket.MAX_BATCH), "would block");
        }
    }

    @Test
    void receiveFromReportsTheSourceAndSendToAnswersIt() throws Exception {
        try (UdpSocket hub = UdpSocket.open(loopback(0), null, 0);
                UdpSocket node = UdpSocket.open(loopback(0), loopback(hub.localPort()), 0)) {
            OffHeap buf = OffHeap.allocate(256);
            buf.buffer().putInt(64, 0xCAFE_F00D);
            assertEquals(4, node.send(buf.address() + 64, 4));
            assertTrue((hub.poll(Tun.POLLIN, 1000) & Tun.POLLIN) != 0, "readable");
            assertEquals(4, hub.receiveFrom(buf.address() + 128, 100, buf.address(), buf.address() + 8));
            assertEquals(0xCAFE_F00D, buf.buffer().getInt(128));
            assertEquals(0x7F00_0001, buf.buffer().getInt(0), "source IP, big endian");
            assertEquals(node.localPort(), buf.buffer().getShort(8) & 0xFFFF, "source port, big endian");
            assertEquals(4, hub.sendTo(buf.address() + 128, 4, 0x7F00_0001, node.localPort()));
            assertEquals(4, node.receive(buf.address() + 200, 50));
            assertEquals(0xCAFE_F00D, buf.buffer().getInt(200));
            assertEquals(0, hub.poll(Tun.POLLIN, 0), "nothing more");
        }
    }

    @Test
    void aTakenPortFailsWithTheErrnoText() throws Exception {
        try (UdpSocket first = UdpSocket.open(loopback(0), null, 0)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> UdpSocket.open(loopback(first.localPort()), null, 0).close());
            assertEquals("UDP bind(127.0.0.1:" + first.localPort() + "): Address already in use (errno 98)",
                    e.getMessage());
        }
    }
}
