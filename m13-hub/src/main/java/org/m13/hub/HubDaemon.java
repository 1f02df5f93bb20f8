package org.m13.hub;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.m13.config.ConfigException;
import org.m13.config.HubConfig;
import org.m13.daemon.ControlEvent;
import org.m13.daemon.ControlRing;
import org.m13.daemon.DaemonTelemetry;
import org.m13.daemon.HandshakeLink;
import org.m13.daemon.LinkPoller;
import org.m13.daemon.PeerTable;
import org.m13.daemon.PeerTelemetry;
import org.m13.daemon.TunReader;
import org.m13.daemon.TunWriter;
import org.m13.daemon.TxProducer;
import org.m13.daemon.UdpLinkSender;
import org.m13.handshake.DeliveryConfig;
import org.m13.handshake.FrameMac;
import org.m13.handshake.HubDriver;
import org.m13.handshake.HubHandshake;
import org.m13.handshake.PqcCounter;
import org.m13.identity.AllowList;
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
 * The hub daemon, wired: one UDP socket on the configured port (frames placed after
 * 42 bytes of outer headers, as AF_XDP delivers them) and the TUN device at the edges,
 * the RX and TX rings of the topology in between, and the control ring's thread running
 * the handshake and every peer's lifecycle ({@link HubControl}).
 */
public final class HubDaemon implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(HubDaemon.class);
    static final int RX_SLOTS = 8192;
    static final int TX_SLOTS = 8192;
    static final int SOCKET_BUFFER = 8 << 20;

    private final HubConfig.Hub config;
    private final PeerTable peers;
    private final UdpSocket socket;
    private final Tun tun;
    private final List<RingPipeline> rings;
    private final ControlRing control;
    private final HubControl lifecycle;
    private final HubHandshake core;
    private final PqcCounter pqc = new PqcCounter();
    private final LinkPoller poller;
    private final TunReader tunReader;
    private final Thread pollerThread;
    private final Thread tunThread;
    private final Decrypt decrypt;
    private final Classify classify;
    private final TunWriter tunWriter;
    private final Release rxRelease;
    private final Release txRelease;
    private final String wiring;
    private final Path telemetryPath;
    private TelemetryWriter telemetry;
    private boolean closed;

    private HubDaemon(HubConfig.Hub config, Topology topology, HubControl.Timing timing, int cores, Path telemetryPath)
            throws TopologyException {
        this.config = config;
        this.telemetryPath = telemetryPath;
        SecureRandom random = new SecureRandom();
        long ourMac = localMac(random);
        int capacity = Math.min(AllowList.MAX_NODES, Math.max(16, 2 * config.nodes().size()));
        this.peers = PeerTable.hub(capacity);
        SlotPool rxPool = new SlotPool(RX_SLOTS, SlotPool.DEFAULT_SLOT_BYTES);
        SlotPool txPool = new SlotPool(TX_SLOTS, SlotPool.DEFAULT_SLOT_BYTES, 2);
        this.socket = UdpSocket.open(new InetSocketAddress(anyAddress(), config.port()), null, SOCKET_BUFFER);
        this.tun = openTun(config, socket);
        this.core = new HubHandshake(config.identity(), config.nodes(), pqc, HubHandshake.Config.defaults());
        try {
            HubControl[] lifecycleRef = new HubControl[1];
            this.control = new ControlRing("control", 4096, 10_000_000L, true, new ControlRing.Handler() {
                @Override
                public void onMessage(ControlEvent event, long nowNanos) {
                    lifecycleRef[0].onMessage(event, nowNanos);
                }

                @Override
                public void onTick(long nowNanos) {
                    lifecycleRef[0].onTick(nowNanos);
                }
            });
            this.tunWriter = new TunWriter(tun, rxPool, peers, true);
            Sink toControl = control.sink();
            this.rxRelease = new Release(rxPool, NanoClock.SYSTEM);
            this.txRelease = new Release(txPool, NanoClock.SYSTEM, "tx-release");
            this.decrypt = new Decrypt(rxPool, peers, Direction.HUB_TO_NODE); // our own direction: frames carrying it are reflections
            this.classify = new Classify(rxPool);
            List<Stage> stages = List.of(new Parse(rxPool, peers), decrypt, classify,
                    new Scatter(rxPool, tunWriter, toControl, toControl, Sink.UNWIRED, Sink.UNWIRED),
                    rxRelease,
                    new Seal(txPool, peers, Direction.HUB_TO_NODE),
                    new LinkTx(txPool, new UdpLinkSender(socket, txPool, true)),
                    txRelease);
            this.rings = TopologyBuilder.build(topology, stages, cores, new AffinityThreads());
            RingPipeline rx = ring("rx");
            RingPipeline tx = ring("tx");
            TxProducer fromTun = new TxProducer(txPool, 0, tx, peers, true, ourMac);
            TxProducer fromControl = new TxProducer(txPool, 1, tx, peers, true, ourMac);
            DeliveryConfig delivery = DeliveryConfig.defaults();
            HandshakeLink handshake = new HandshakeLink(fromControl, delivery.chunkBytes());
            HubDriver driver = new HubDriver(core, random, delivery);
            ByteBuffer hubIp = ByteBuffer.wrap(config.tunnelAddress().address().getAddress());
            this.lifecycle = new HubControl(peers, fromControl, handshake, driver, config.nodes(),
                    new FrameMac(config.identity().publicIdentity()), hubIp.getInt(0),
                    config.tunnelAddress().prefix(), config.tunnelMtu(), timing);
            lifecycleRef[0] = lifecycle;
            this.poller = new LinkPoller(socket, rxPool, rx, true);
            this.tunReader = new TunReader(tun, fromTun, peers, config.tunnelMtu());
            this.pollerThread = new Thread(poller, "m13-link-rx");
            this.tunThread = new Thread(tunReader, "m13-tun-rx");
            StringBuilder w = new StringBuilder("link poller [m13-link-rx] udp :" + config.port() + " -> ring rx\n");
            for (RingPipeline r : rings) {
                w.append(r.describe());
            }
            w.append("tun reader [m13-tun-rx] ").append(config.tunnelName()).append(" -> ring tx\n");
            w.append("ring control: 4096 events\n  [m13-control] handshake (PQC), lifecycle, timers -> ring tx\n");
            this.wiring = w.toString();
        } catch (RuntimeException | TopologyException e) {
            core.close();
            tun.close();
            socket.close();
            throw e;
        }
    }

    private static Tun openTun(HubConfig.Hub config, UdpSocket socket) {
        try {
            Tun tun = Tun.open(config.tunnelName());
            tun.setMtu(config.tunnelMtu());
            tun.setUp(true);
            return tun;
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Builds and starts the hub.
     *
     * @param telemetryFile the /dev/shm file for `m13 monitor` (null: none)
     */
    public static HubDaemon start(HubConfig.Hub config, Path topologyFile, Path telemetryFile)
            throws ConfigException, TopologyException {
        return start(config, topologyFile, HubControl.Timing.defaults(), telemetryFile);
    }

    static HubDaemon start(HubConfig.Hub config, Path topologyFile, HubControl.Timing timing, Path telemetryFile)
            throws ConfigException, TopologyException {
        int cores = Runtime.getRuntime().availableProcessors();
        Topology topology = TopologyFile.load(topologyFile, Set.of("parse", "decrypt", "classify", "scatter",
                "release", "seal", "link-tx", "tx-release"), cores, TopologyFile.isolatedCores());
        HubDaemon daemon = new HubDaemon(config, topology, timing, cores, telemetryFile);
        daemon.run();
        return daemon;
    }

    private void run() {
        if (telemetryPath != null) {
            telemetry = DaemonTelemetry.open(telemetryPath, rings);
            PeerTelemetry perPeer = new PeerTelemetry(telemetry, peers.capacity());
            rxRelease.observe(perPeer.rxObserver());
            txRelease.observe(perPeer.txObserver());
            lifecycle.peerTelemetry(perPeer);
        }
        for (RingPipeline r : rings) {
            r.start();
        }
        control.start();
        pollerThread.start();
        tunThread.start();
        LOG.info("hub started: udp port {}, tunnel {} {}, {} node(s) allowed, key {}\n{}", config.port(),
                config.tunnelName(), config.tunnelAddress(), config.nodes().size(),
                config.identity().publicIdentity().keyId(), wiring);
    }

    private RingPipeline ring(String name) {
        for (RingPipeline r : rings) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        throw new IllegalStateException("topology has no ring " + name);
    }


    private static InetAddress anyAddress() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static long localMac(SecureRandom random) {
        long mac = random.nextLong() & 0xFFFF_FFFF_FFFFL;
        return (mac & ~0x0100_0000_0000L) | 0x0200_0000_0000L;
    }

    /**
     * One line of counters for the log (read from other threads' plain counters: a
     * moment's inconsistency between fields is possible and harmless).
     */
    public String statsLine() {
        return "nodes " + lifecycle.established() + " established, handshakes refused "
                + lifecycle.refusedHandshakes() + ", bad frame mac1 " + lifecycle.badFrameMacs()
                + ", held by the 3x limit " + lifecycle.budgetHeld() + "; " + "link in " + poller.received() + ", opened " + decrypt.opened() + "; tun out "
                + tunWriter.written() + " (" + tunWriter.bytes() + " B), tun in " + tunReader.read() + "; rx drops "
                + rxRelease.drops() + "; tx drops " + txRelease.drops() + "; tun in without peer "
                + tunReader.noPeer();
    }

    public Release rxRelease() {
        return rxRelease;
    }

    public String wiring() {
        return wiring;
    }

    /** Nodes with a session now. */
    public int established() {
        return lifecycle.established();
    }

    public PqcCounter pqc() {
        return pqc;
    }

    public Decrypt decrypt() {
        return decrypt;
    }

    public Classify classify() {
        return classify;
    }

    public TunWriter tunWriter() {
        return tunWriter;
    }

    /** FIN to every node (waits up to 2 s for FIN-ACKs), then stops every thread and frees the keys. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        lifecycle.requestClose();
        try {
            if (!lifecycle.awaitClosed(2_000)) {
                LOG.warn("not every node answered the FIN; closing anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        poller.stop();
        tunReader.stop();
        join(pollerThread);
        join(tunThread);
        List<RuntimeException> failures = new ArrayList<>();
        for (RingPipeline r : rings) {
            try {
                r.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        control.close();
        lifecycle.closeKeys();
        core.close();
        if (telemetry != null) {
            telemetry.close();
        }
        tun.close();
        socket.close();
        LOG.info("hub stopped");
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    private static void join(Thread t) {
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
