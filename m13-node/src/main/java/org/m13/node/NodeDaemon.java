package org.m13.node;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.m13.config.ConfigException;
import org.m13.config.NodeConfig;
import org.m13.daemon.ControlRing;
import org.m13.daemon.DaemonTelemetry;
import org.m13.daemon.Daemons;
import org.m13.daemon.LinkAdaptation;
import org.m13.daemon.HandshakeLink;
import org.m13.daemon.PeerTable;
import org.m13.daemon.PeerTelemetry;
import org.m13.daemon.TunReader;
import org.m13.daemon.TunWriter;
import org.m13.daemon.TxProducer;
import org.m13.handshake.DeliveryConfig;
import org.m13.handshake.FrameMac;
import org.m13.handshake.NodeDriver;
import org.m13.handshake.PqcCounter;
import org.m13.handshake.RekeyPolicy;
import org.m13.stage.Classify;
import org.m13.stage.Decrypt;
import org.m13.stage.LinkTx;
import org.m13.stage.NanoClock;
import org.m13.stage.Parse;
import org.m13.stage.Release;
import org.m13.stage.RingPipeline;
import org.m13.stage.Scatter;
import org.m13.stage.Seal;
import org.m13.stage.Sink;
import org.m13.stage.SlotPool;
import org.m13.stage.Stage;
import org.m13.sys.Tun;
import org.m13.sys.UdpSocket;
import org.m13.telemetry.TelemetryWriter;
import org.m13.topology.AffinityThreads;
import org.m13.topology.Topology;
import org.m13.topology.TopologyBuilder;
import org.m13.topology.TopologyException;
import org.m13.topology.TopologyFile;
import org.m13.wire.Direction;

/**
 * The node daemon, wired: a UDP socket connected to the hub (through an io_uring reactor
 * or a plain poller: {@link NodeLink}) and the TUN device at the edges, the RX and TX
 * rings of the topology in between, and the control ring's thread running the lifecycle
 * ({@link NodeControl}).
 * <pre>
 *   link        -> [rx] parse, decrypt, classify, scatter, release
 *                       scatter: TUNNEL -> tun-write; CONTROL, FIN, handshake -> control ring
 *   tun reader  -> [tx] seal, link-tx, tx-release  <- control thread (registration, handshake, keepalive, FIN)
 *                            link-tx -> link
 * </pre>
 */
public final class NodeDaemon implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(NodeDaemon.class);
    static final int RX_SLOTS = 4096;
    static final int TX_SLOTS = 6144; // three producers: tun reader, control, feedback
    static final int SOCKET_BUFFER = 4 << 20;

    private final NodeConfig.Node config;
    private final PeerTable peers = PeerTable.node();
    private final UdpSocket socket;
    private final Tun tun;
    private final List<RingPipeline> rings;
    private final ControlRing control;
    private final NodeControl lifecycle;
    private final NodeLink link;
    private final TunReader tunReader;
    private final Thread tunThread;
    private final Decrypt decrypt;
    private final TunWriter tunWriter;
    private final LinkAdaptation adaptation;
    /** Null when fec.enabled is false. */
    /** Null when link.rate-mbit is 0. */
    private final Release rxRelease;
    private final Release txRelease;
    private final RingPipeline rxRing;
    private final String wiring;
    private final Path telemetryPath;
    private TelemetryWriter telemetry;
    private boolean closed;

    private NodeDaemon(NodeConfig.Node config, Topology topology, NodeControl.Tunnel tunnel,
            NodeControl.Timing timing, RekeyPolicy rekey, int cores, Path telemetryPath) throws TopologyException {
        this.config = config;
        this.telemetryPath = telemetryPath;
        SecureRandom random = new SecureRandom();
        long ourMac = Daemons.localMac(random);
        SlotPool rxPool = new SlotPool(RX_SLOTS, SlotPool.DEFAULT_SLOT_BYTES);
        SlotPool txPool = new SlotPool(TX_SLOTS, SlotPool.DEFAULT_SLOT_BYTES, 3);
        this.socket = UdpSocket.open(new InetSocketAddress(Daemons.anyAddress(), 0),
                new InetSocketAddress(config.hubAddress(), config.hubPort()), SOCKET_BUFFER);
        NodeLink opened = null;
        Tun opening = null;
        try {
            opening = Tun.open(config.tunnelName());
            opened = NodeLink.open(config, socket, rxPool, txPool);
        } catch (RuntimeException e) {
            if (opening != null) {
                opening.close();
            }
            socket.close();
            throw e;
        }
        this.tun = opening;
        this.link = opened;
        try {
            tun.setMtu(config.tunnelMtu());
            tun.setUp(true);
            // control ring first: scatter's sinks feed it
            NodeControl[] lifecycleRef = new NodeControl[1];
            this.control = new ControlRing("control", 1024, 10_000_000L, false, new ControlRing.Handler() {
                @Override
                public void onMessage(org.m13.daemon.ControlEvent event, long nowNanos) {
                    lifecycleRef[0].onMessage(event, nowNanos);
                }

                @Override
                public void onTick(long nowNanos) {
                    lifecycleRef[0].onTick(nowNanos);
                }
            });
            this.tunWriter = new TunWriter(tun, rxPool, peers, false);
            Sink toControl = control.sink();
            this.adaptation = new LinkAdaptation(peers, config.fec(), config.rateMbit());
            this.rxRelease = new Release(rxPool, NanoClock.SYSTEM);
            this.txRelease = new Release(txPool, NanoClock.SYSTEM, "tx-release");
            this.decrypt = new Decrypt(rxPool, peers, Direction.NODE_TO_HUB); // our own direction: frames carrying it are reflections
            Scatter scatter = new Scatter(rxPool, tunWriter, toControl, toControl, tunWriter.repairSink(), adaptation.feedback());
            List<Stage> stages = List.of(new Parse(rxPool, peers), decrypt, new Classify(rxPool),
                    scatter,
                    rxRelease,
                    new Seal(txPool, peers, Direction.NODE_TO_HUB),
                    new LinkTx(txPool, link.sender()),
                    txRelease);
            this.rings = TopologyBuilder.build(topology, stages, cores, new AffinityThreads());
            RingPipeline rx = Daemons.ring(rings, "rx");
            RingPipeline tx = Daemons.ring(rings, "tx");
            TxProducer fromTun = new TxProducer(txPool, 0, tx, peers, false, ourMac);
            TxProducer fromControl = new TxProducer(txPool, 1, tx, peers, false, ourMac);
            adaptation.attach(rxPool, peers, rxRelease, rx, scatter, tunWriter,
                    new TxProducer(txPool, 2, tx, peers, false, ourMac), fromTun);
            fromControl.stampCleartext(new FrameMac(config.hubKey())); // the control thread's own instance
            DeliveryConfig delivery = DeliveryConfig.defaults();
            PqcCounter pqc = new PqcCounter();
            HandshakeLink handshake = new HandshakeLink(fromControl, delivery.chunkBytes()).to(NodeControl.HUB)
                    .padAcks(NodeControl.ACK_BODY_BYTES);
            this.lifecycle = new NodeControl(peers, fromControl,
                    now -> new NodeDriver(config.identity(), config.hubKey(), random, pqc, delivery, handshake),
                    tunnel, timing, rekey, random);
            lifecycleRef[0] = lifecycle;
            this.rxRing = rx;
            this.tunReader = new TunReader(tun, fromTun, peers, config.tunnelMtu(), adaptation.fecOut(), adaptation.pacer());
            this.tunThread = new Thread(tunReader, "m13-tun-rx");
            StringBuilder w = new StringBuilder();
            w.append(link.describe());
            for (RingPipeline r : rings) {
                w.append(r.describe());
            }
            w.append("tun reader [m13-tun-rx] -> ring tx\n");
            w.append("ring control: 1024 events\n  [m13-control] handshake, lifecycle, timers -> ring tx\n");
            this.wiring = w.toString();
        } catch (RuntimeException | TopologyException e) {
            link.close();
            tun.close();
            socket.close();
            throw e;
        }
    }

    /**
     * Builds and starts the node.
     *
     * @param tunnel what to do once the hub assigned the tunnel address (host set-up)
     * @param telemetryFile the /dev/shm file for `m13 monitor` (null: none)
     */
    public static NodeDaemon start(NodeConfig.Node config, Path topologyFile, NodeControl.Tunnel tunnel,
            Path telemetryFile) throws ConfigException, TopologyException {
        return start(config, topologyFile, tunnel, RekeyPolicy.defaults(), telemetryFile);
    }

    /** As above, with the rekey limits given (tests rekey every few seconds). */
    public static NodeDaemon start(NodeConfig.Node config, Path topologyFile, NodeControl.Tunnel tunnel,
            RekeyPolicy rekey, Path telemetryFile) throws ConfigException, TopologyException {
        return start(config, topologyFile, tunnel, NodeControl.Timing.defaults(), rekey, telemetryFile);
    }

    static NodeDaemon start(NodeConfig.Node config, Path topologyFile, NodeControl.Tunnel tunnel,
            NodeControl.Timing timing, RekeyPolicy rekey, Path telemetryFile) throws ConfigException,
            TopologyException {
        int cores = Runtime.getRuntime().availableProcessors();
        Topology topology = TopologyFile.load(topologyFile, Set.of("parse", "decrypt", "classify", "scatter",
                "release", "seal", "link-tx", "tx-release"), cores, TopologyFile.isolatedCores());
        NodeDaemon daemon = new NodeDaemon(config, topology, tunnel, timing, rekey, cores, telemetryFile);
        daemon.run();
        return daemon;
    }

    private void run() {
        if (telemetryPath != null) {
            telemetry = DaemonTelemetry.open(telemetryPath, rings);
            PeerTelemetry perPeer = new PeerTelemetry(telemetry, peers.capacity());
            adaptation.feedbackOut().chain(perPeer.rxObserver());
            adaptation.feedback().observe(perPeer.feedbackObserver());
            txRelease.observe(perPeer.txObserver());
            perPeer.bind(NodeControl.HUB, "hub");
        }
        for (RingPipeline r : rings) {
            r.start();
        }
        control.start();
        link.start(rxRing);
        tunThread.start();
        LOG.info("node started: hub {}:{} (key {}), tunnel {}\n{}", config.hubAddress().getHostAddress(),
                config.hubPort(), config.hubKey().keyId(), config.tunnelName(), wiring);
    }





    /**
     * One line of counters for the log (read from other threads' plain counters: a
     * moment's inconsistency between fields is possible and harmless).
     */
    public String statsLine() {
        return "state " + lifecycle.state() + "; " + link.stats() + ", opened " + decrypt.opened() + "; tun out "
                + tunWriter.written() + " (" + tunWriter.bytes() + " B), tun in " + tunReader.read() + "; rx drops "
                + rxRelease.drops() + "; tx drops " + txRelease.drops() + "; tun in without peer "
                + tunReader.noPeer() + "; " + adaptation.stats(NodeControl.HUB);
    }

    public Release rxRelease() {
        return rxRelease;
    }

    /** The link backend that runs: "io_uring" or "udp". */
    public String linkBackend() {
        return link.backend();
    }

    public String wiring() {
        return wiring;
    }

    NodeControl.State state() {
        return lifecycle.state();
    }

    /** The tunnel address the hub gave (0 until then). */
    public int tunnelAddress() {
        return lifecycle.tunnelIp();
    }

    public long handshakeNanos() {
        return lifecycle.handshakeNanos();
    }

    public Decrypt decrypt() {
        return decrypt;
    }

    public TunWriter tunWriter() {
        return tunWriter;
    }

    public TunReader tunReader() {
        return tunReader;
    }

    /** FIN to the hub (waits up to 2 s for the FIN-ACK), then stops every thread and frees the keys. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        lifecycle.requestClose();
        try {
            if (!lifecycle.awaitClosed(2_000)) {
                LOG.warn("no FIN-ACK from the hub; closing anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        link.close();
        tunReader.stop();
        Daemons.join(tunThread);
        RuntimeException failure = Daemons.closeAll(rings);
        control.close();
        lifecycle.closeKeys();
        if (telemetry != null) {
            telemetry.close();
        }
        tun.close();
        socket.close();
        LOG.info("node stopped");
        if (failure != null) {
            throw failure;
        }
    }

}
