package org.m13.node;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.m13.config.NodeConfig;
import org.m13.daemon.LinkPoller;
import org.m13.daemon.TxHandoff;
import org.m13.daemon.UdpLinkSender;
import org.m13.daemon.UringLink;
import org.m13.daemon.UringLinkThread;
import org.m13.stage.LinkSender;
import org.m13.stage.RingPipeline;
import org.m13.stage.SlotPool;
import org.m13.sys.IoUring;
import org.m13.sys.UdpSocket;

/**
 * The node's link to the hub over its connected UDP socket, one of two backends
 * ({@code link.backend} in node.yaml):
 * <ul>
 * <li>{@code io_uring}: one reactor thread ({@link UringLink}) receives with a multishot
 *     recv into provided buffers and sends what link-tx copied into a {@link TxHandoff};
 * <li>{@code udp}: a poller thread ({@link LinkPoller}) receives straight into RX slots and
 *     link-tx sends on the socket itself ({@link UdpLinkSender}).
 * </ul>
 * {@code auto} takes io_uring when the kernel gives a ring, else the socket, with one
 * log line saying why. The choice is made before the stages are built, because link-tx
 * needs its {@link #sender()}.
 */
abstract class NodeLink implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(NodeLink.class);
    /** Frames link-tx may have in flight on the io_uring backend. */
    static final int HANDOFF_ENTRIES = 2048;

    /** What link-tx sends through. */
    abstract LinkSender sender();

    /** Starts the thread(s), receiving into {@code rx}. */
    abstract void start(RingPipeline rx);

    /** "io_uring" or "udp". */
    abstract String backend();

    /** The wiring lines of the link. */
    abstract String describe();

    /** Datagrams received. */
    abstract long received();

    /** Errors of the link (receive, send, ring). */
    abstract long errors();

    /** The link's counters for the stats line. */
    abstract String stats();

    /** Stops the threads; the socket can be closed afterwards. */
    @Override
    public abstract void close();

    /**
     * Opens the configured backend.
     *
     * @throws IllegalStateException when {@code io_uring} is required and unavailable
     */
    static NodeLink open(NodeConfig.Node config, UdpSocket socket, SlotPool rxPool, SlotPool txPool) {
        NodeConfig.LinkBackend wanted = config.linkBackend();
        if (wanted != NodeConfig.LinkBackend.UDP) {
            String cause = IoUring.unavailabilityCause();
            if (cause == null) {
                TxHandoff handoff = new TxHandoff(HANDOFF_ENTRIES, txPool.slotBytes());
                try {
                    return new Uring(UringLinkThread.open("m13-link", socket, rxPool, handoff,
                            UringLink.DEFAULT_RING), handoff);
                } catch (IllegalStateException e) {
                    cause = e.getMessage();
                }
            }
            if (wanted == NodeConfig.LinkBackend.IO_URING) {
                throw new IllegalStateException(config.file() + ": link.backend: io_uring is unavailable: " + cause);
            }
            LOG.warn("io_uring unavailable: {}; using a plain UDP socket", cause);
        }
        return new Udp(socket, rxPool, txPool);
    }

    /** The io_uring reactor. */
    private static final class Uring extends NodeLink {
        private final UringLinkThread thread;
        private final TxHandoff handoff;

        Uring(UringLinkThread thread, TxHandoff handoff) {
            this.thread = thread;
            this.handoff = handoff;
        }

        @Override
        LinkSender sender() {
            return handoff;
        }

        @Override
        void start(RingPipeline rx) {
            thread.start(rx);
        }

        @Override
        String backend() {
            return "io_uring";
        }

        @Override
        String describe() {
            IoUring.Config c = thread.link().config();
            return "link backend: io_uring\n"
                    + "  [" + thread.threadName() + "] multishot recv into " + c.bufferCount() + " provided buffers of "
                    + c.bufferSize() + " B, copied into RX slots -> ring rx\n"
                    + "  link-tx -> hand-off (" + handoff.entries() + " frames) -> [" + thread.threadName()
                    + "] send SQEs, submitted in batches; single issuer, " + c.entries() + " SQ entries\n";
        }

        @Override
        long received() {
            return thread.link().received();
        }

        @Override
        long errors() {
            return thread.link().errors();
        }

        @Override
        String stats() {
            UringLink l = thread.link();
            return "link in " + l.received() + ", out " + l.sent() + " (io_uring; errors " + l.errors() + ", submits "
                    + l.submits() + ", parks " + l.parks() + ", wake-ups " + handoff.wakeups() + ", re-arms "
                    + l.rearms() + ", waits for an RX slot " + l.noSlot() + ", hand-off full " + handoff.full() + ")";
        }

        @Override
        public void close() {
            thread.close();
        }
    }

    /** A poller thread and sends on the socket from link-tx. */
    private static final class Udp extends NodeLink {
        private final UdpSocket socket;
        private final SlotPool rxPool;
        private final UdpLinkSender sender;
        private LinkPoller poller;
        private Thread pollerThread;

        Udp(UdpSocket socket, SlotPool rxPool, SlotPool txPool) {
            this.socket = socket;
            this.rxPool = rxPool;
            this.sender = new UdpLinkSender(socket, txPool, false);
        }

        @Override
        LinkSender sender() {
            return sender;
        }

        @Override
        void start(RingPipeline rx) {
            poller = new LinkPoller(socket, rxPool, rx, false);
            pollerThread = new Thread(poller, "m13-link-rx");
            pollerThread.start();
        }

        @Override
        String backend() {
            return "udp";
        }

        @Override
        String describe() {
            return """
                    link backend: udp
                      [m13-link-rx] poll + recv into RX slots -> ring rx
                      link-tx sends on the socket
                    """;
        }

        @Override
        long received() {
            return poller == null ? 0 : poller.received();
        }

        @Override
        long errors() {
            return (poller == null ? 0 : poller.errors()) + sender.errors();
        }

        @Override
        String stats() {
            return "link in " + received() + " (udp; errors " + errors() + ")";
        }

        @Override
        public void close() {
            if (poller != null) {
                poller.stop();
                try {
                    pollerThread.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
