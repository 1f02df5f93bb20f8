package org.m13.daemon;

import java.nio.ByteBuffer;
import org.m13.sys.XdpSocket;

/**
 * The four rings and the UMEM of one AF_XDP socket, as the hub's link edges use them:
 * {@link XdpSocket} in the daemon, an in-memory fake in tests. Same contract as
 * {@link XdpSocket}: UMEM offsets in caller-owned arrays, a count or -errno, never an
 * exception. The RX half (receive, fill) belongs to the poller thread, the TX half
 * (transmit, complete) to link-tx: the kernel keeps the four rings apart.
 */
public interface XdpRings {
    /** The UMEM, big endian; frames are read and written in place. */
    ByteBuffer umem();

    /** Bytes per UMEM frame (a power of two). */
    int frameSize();

    /**
     * The first frame for transmission: frames {@code 0 .. firstTxFrame()-1} start in the
     * fill ring (RX), frames {@code firstTxFrame() .. frameCount()-1} belong to the sender.
     */
    int firstTxFrame();

    /** Frames in the UMEM. */
    int frameCount();

    int receive(long[] addresses, int[] lengths, int max);

    int fill(long[] addresses, int count);

    int transmit(long[] addresses, int[] lengths, int count);

    int complete(long[] addresses, int max);

    /** The descriptor to poll for received frames. */
    int fd();

    /** The rings of {@code socket}. */
    static XdpRings of(XdpSocket socket) {
        ByteBuffer umem = socket.umem().buffer();
        XdpSocket.Config config = socket.config();
        return new XdpRings() {
            @Override
            public ByteBuffer umem() {
                return umem;
            }

            @Override
            public int frameSize() {
                return config.frameSize();
            }

            @Override
            public int firstTxFrame() {
                return config.rxFrames();
            }

            @Override
            public int frameCount() {
                return config.frameCount();
            }

            @Override
            public int receive(long[] addresses, int[] lengths, int max) {
                return socket.receive(addresses, lengths, max);
            }

            @Override
            public int fill(long[] addresses, int count) {
                return socket.fill(addresses, count);
            }

            @Override
            public int transmit(long[] addresses, int[] lengths, int count) {
                return socket.transmit(addresses, lengths, count);
            }

            @Override
            public int complete(long[] addresses, int max) {
                return socket.complete(addresses, max);
            }

            @Override
            public int fd() {
                return socket.fd();
            }
        };
    }
}
