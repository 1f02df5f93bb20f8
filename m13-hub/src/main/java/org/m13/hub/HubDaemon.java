package org.m13.hub;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.m13.config.ConfigException;
import org.m13.config.HubConfig;
import org.m13.daemon.ControlEvent;
import org.m13.daemon.ControlRing;
import org.m13.daemon.DaemonTelemetry;
import org.m13.daemon.Daemons;
import org.m13.daemon.LinkAdaptation;
import org.m13.daemon.HandshakeLink;
import org.m13.daemon.LinkPoller;
import org.m13.daemon.NextHops;
import org.m13.daemon.PeerTable;
import org.m13.daemon.PeerTelemetry;
import org.m13.daemon.TunReader;
import org.m13.daemon.TunWriter;
import org.m13.daemon.TxProducer;
import org.m13.daemon.UdpLinkSender;
import org.m13.daemon.XdpLink;
import org.m13.daemon.XdpLinkPoller;
import org.m13.daemon.XdpLinkSender;
import org.m13.daemon.XdpLinkTx;
import org.m13.handshake.DeliveryConfig;
import org.m13.handshake.FrameMac;
import org.m13.handshake.HubDriver;
import org.m13.handshake.HubHandshake;
import org.m13.handshake.PqcCounter;
import org.m13.identity.AllowList;
import org.m13.stage.Classify;
import org.m13.stage.Decrypt;
import org.m13.stage.LinkSender;
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
import org.m13.sys.Native;
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
 * The hub daemon, wired: the link (AF_XDP on {@code listen.xdp-interface} and the
 * kernel's UDP socket on the port, or the UDP socket alone; frames placed after 42
 * bytes of outer headers either way) and the TUN device at the edges, the RX and TX
 * rings of the topology in between, and the control ring's thread running the
 * handshake and every peer's lifecycle ({@link HubControl}).
 *
 * <p>Link backend ({@code listen.backend}): {@code auto} tries AF_XDP and, if the
 * program cannot be loaded or attached or a socket cannot be opened, logs one line
 * with the reason and runs on the UDP socket; {@code xdp} fails the start instead;
 * {@code udp} never tries. With AF_XDP the UDP socket stays open: it holds the port,
 * receives what arrives elsewhere (another interface, a queue without a socket) and
 * sends what AF_XDP cannot address ({@link NextHops}).
 */
public final class HubDaemon implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(HubDaemon.class);
    static final int RX_SLOTS = 8192;
    static final int TX_SLOTS = 12288; // three producers (tun reader, control, feedback), 4096 each
    static final int SOCKET_BUFFER = 8 << 20;
    static final int NEXT_HOPS = 1024;

    private final HubConfig.Hub config;
    private final PeerTable peers;
    private final UdpSocket socket;
    /** The AF_XDP link, or null on the UDP backend. */
    private final XdpLink xdp;
    private final NextHops hops;
    private final XdpLinkSender xdpSender;
    private final Tun tun;
    private final List<RingPipeline> rings;
    private final ControlRing control;
    private final HubControl lifecycle;
    private final HubHandshake core;
    private final PqcCounter pqc = new PqcCounter();
    /** The link poller of the backend running: one of these two is null. */
    private final LinkPoller poller;
    private final XdpLinkPoller xdpPoller;
    private final TunReader tunReader;
    private final Thread pollerThread;
    private final Thread tunThread;
    private final Decrypt decrypt;
    private final Classify classify;
    private final TunWriter tunWriter;
    private final LinkAdaptation adaptation;
    /** Null when fec.enabled is false. */
    /** Null when link.rate-mbit is 0. */
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
        long ourMac = Daemons.localMac(random);
        int capacity = Math.min(AllowList.MAX_NODES, Math.max(16, 2 * config.nodes().size()));
        this.peers = PeerTable.hub(capacity);
        SlotPool rxPool = new SlotPool(RX_SLOTS, SlotPool.DEFAULT_SLOT_BYTES);
        SlotPool txPool = new SlotPool(TX_SLOTS, SlotPool.DEFAULT_SLOT_BYTES, 3);
        this.socket = UdpSocket.open(new InetSocketAddress(Daemons.anyAddress(), config.port()), null, SOCKET_BUFFER);
        this.xdp = openXdp(config, socket);
        this.tun = openTun(config, socket, xdp);
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
            this.adaptation = new LinkAdaptation(peers, config.fec(), config.rateMbit());
            this.rxRelease = new Release(rxPool, NanoClock.SYSTEM);
            this.txRelease = new Release(txPool, NanoClock.SYSTEM, "tx-release");
            this.decrypt = new Decrypt(rxPool, peers, Direction.HUB_TO_NODE); // our own direction: frames carrying it are reflections
            this.classify = new Classify(rxPool);
            LinkSender udpSender = new UdpLinkSender(socket, txPool, true);
            Stage linkTx;
            if (xdp != null) {
                this.hops = new NextHops(NEXT_HOPS);
                this.xdpSender = new XdpLinkSender(xdp.transmitRings(), hops, udpSender, xdp.mac(), config.port());
                linkTx = new XdpLinkTx(txPool, xdpSender);
            } else {
                this.hops = null;
                this.xdpSender = null;
                linkTx = new LinkTx(txPool, udpSender);
            }
            Scatter scatter = new Scatter(rxPool, tunWriter, toControl, toControl, tunWriter.repairSink(), adaptation.feedback());
            List<Stage> stages = List.of(new Parse(rxPool, peers), decrypt, classify,
                    scatter,
                    rxRelease,
                    new Seal(txPool, peers, Direction.HUB_TO_NODE),
                    linkTx,
                    txRelease);
            this.rings = TopologyBuilder.build(topology, stages, cores, new AffinityThreads());
            RingPipeline rx = Daemons.ring(rings, "rx");
            RingPipeline tx = Daemons.ring(rings, "tx");
            TxProducer fromTun = new TxProducer(txPool, 0, tx, peers, true, ourMac);
            TxProducer fromControl = new TxProducer(txPool, 1, tx, peers, true, ourMac);
            adaptation.attach(rxPool, peers, rxRelease, rx, scatter, tunWriter,
                    new TxProducer(txPool, 2, tx, peers, true, ourMac), fromTun);
            DeliveryConfig delivery = DeliveryConfig.defaults();
            HandshakeLink handshake = new HandshakeLink(fromControl, delivery.chunkBytes());
            HubDriver driver = new HubDriver(core, random, delivery);
            ByteBuffer hubIp = ByteBuffer.wrap(config.tunnelAddress().address().getAddress());
            this.lifecycle = new HubControl(peers, fromControl, handshake, driver, config.nodes(),
                    new FrameMac(config.identity().publicIdentity()), hubIp.getInt(0),
                    config.tunnelAddress().prefix(), config.tunnelMtu(), timing);
            lifecycleRef[0] = lifecycle;
            StringBuilder w = new StringBuilder();
            Runnable receiver;
            if (xdp != null) {
                this.poller = null;
                this.xdpPoller = new XdpLinkPoller(xdp.receiveRings(), socket, rxPool, rx, hops, config.port(),
                        xdp.interfaceName());
                receiver = xdpPoller;
                w.append("link backend: af_xdp on ").append(xdp.interfaceName()).append(" (").append(xdp.describe())
                        .append("), udp socket :").append(config.port())
                        .append(" for datagrams arriving elsewhere and destinations without a learned next hop\n");
                w.append("link poller [m13-link-rx] af_xdp ").append(xdp.interfaceName()).append(" + udp :")
                        .append(config.port()).append(" -> ring rx\n");
            } else {
                this.poller = new LinkPoller(socket, rxPool, rx, true);
                this.xdpPoller = null;
                receiver = poller;
                w.append("link backend: udp socket :").append(config.port()).append(" (listen.backend ")
                        .append(config.backend().name().toLowerCase(java.util.Locale.ROOT)).append(")\n");
                w.append("link poller [m13-link-rx] udp :").append(config.port()).append(" -> ring rx\n");
            }
            this.tunReader = new TunReader(tun, fromTun, peers, config.tunnelMtu(), adaptation.fecOut(), adaptation.pacer());
            this.pollerThread = new Thread(receiver, "m13-link-rx");
            this.tunThread = new Thread(tunReader, "m13-tun-rx");
            for (RingPipeline r : rings) {
                w.append(r.describe());
            }
            w.append("tun reader [m13-tun-rx] ").append(config.tunnelName()).append(" -> ring tx\n");
            w.append("ring control: 4096 events\n  [m13-control] handshake (PQC), lifecycle, timers -> ring tx\n");
            this.wiring = w.toString();
        } catch (RuntimeException | TopologyException e) {
            core.close();
            tun.close();
            if (xdp != null) {
                xdp.close();
            }
            socket.close();
            throw e;
        }
    }

    /**
     * The AF_XDP link as {@code listen.backend} asks: null on {@code udp}, and on
     * {@code auto} when AF_XDP cannot run here (said once, with the reason).
     */
    private static XdpLink openXdp(HubConfig.Hub config, UdpSocket socket) {
        if (config.backend() == HubConfig.Backend.UDP) {
            return null;
        }
        try {
            return XdpLink.open(config.xdpInterface(), config.port());
        } catch (RuntimeException e) {
            if (config.backend() == HubConfig.Backend.XDP) {
                socket.close();
                throw new IllegalStateException("AF_XDP unavailable on " + config.xdpInterface() + ": " + e.getMessage()
                        + " (" + config.file() + ": listen.backend is xdp; auto would use a UDP socket)", e);
            }
            LOG.warn("AF_XDP unavailable on {}: {}; using a UDP socket", config.xdpInterface(), e.getMessage());
            return null;
        }
    }

    private static Tun openTun(HubConfig.Hub config, UdpSocket socket, XdpLink xdp) {
        try {
            Tun tun = Tun.open(config.tunnelName());
            tun.setMtu(config.tunnelMtu());
            tun.setUp(true);
            return tun;
        } catch (RuntimeException e) {
            if (xdp != null) {
                xdp.close();
            }
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
            adaptation.feedbackOut().chain(perPeer.rxObserver());
            adaptation.feedback().observe(perPeer.feedbackObserver());
            txRelease.observe(perPeer.txObserver());
            lifecycle.peerTelemetry(perPeer);
        }
        for (RingPipeline r : rings) {
            r.start();
        }
        control.start();
        pollerThread.start();
        tunThread.start();
        LOG.info("hub started: {} port {}, tunnel {} {}, {} node(s) allowed, key {}\n{}",
                xdp != null ? "af_xdp on " + xdp.interfaceName() + " and udp" : "udp", config.port(),
                config.tunnelName(), config.tunnelAddress(), config.nodes().size(),
                config.identity().publicIdentity().keyId(), wiring);
    }





    /**
     * One line of counters for the log (read from other threads' plain counters: a
     * moment's inconsistency between fields is possible and harmless).
     */
    public String statsLine() {
        return "nodes " + lifecycle.established() + " established, handshakes refused "
                + lifecycle.refusedHandshakes() + ", bad frame mac1 " + lifecycle.badFrameMacs()
                + ", held by the 3x limit " + lifecycle.budgetHeld() + "; " + "link in " + linkIn() + ", opened "
                + decrypt.opened() + "; tun out " + tunWriter.written() + " (" + tunWriter.bytes() + " B), tun in "
                + tunReader.read() + "; rx drops " + rxRelease.drops() + "; tx drops " + txRelease.drops()
                + "; tun in without peer " + tunReader.noPeer() + xdpStats() + "; "
                + adaptation.stats(-1);
    }

    private String linkIn() {
        return xdpPoller == null ? Long.toString(poller.received())
                : (xdpPoller.received() + xdpPoller.kernelReceived()) + " (af_xdp " + xdpPoller.received() + ", udp "
                        + xdpPoller.kernelReceived() + ")";
    }

    private String xdpStats() {
        if (xdp == null) {
            return "";
        }
        return "; af_xdp: out " + xdpSender.sent() + ", out via udp (no next hop) " + xdpSender.viaKernel()
                + ", no tx frame " + xdpSender.noFrame() + ", not ours " + xdpPoller.notUdp() + ", malformed "
                + xdpPoller.malformed() + ", errors rx " + errors(xdpPoller.errors(), xdpPoller.firstError()) + " tx "
                + errors(xdpSender.errors(), xdpSender.firstError()) + ", next hops replaced " + hops.replaced() + ", "
                + kernelCounters();
    }

    /** "0", or "3 (first: Network is down)". */
    private static String errors(long count, int firstError) {
        return count == 0 || firstError == 0 ? Long.toString(count)
                : count + " (first: " + Native.errnoText(-firstError) + ")";
    }

    /** The sockets' kernel counters (a getsockopt each): never while close() frees them. */
    private synchronized String kernelCounters() {
        return closed ? "sockets closed" : xdp.statistics();
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
        if (xdpPoller != null) {
            xdpPoller.stop();
        } else {
            poller.stop();
        }
        tunReader.stop();
        Daemons.join(pollerThread);
        Daemons.join(tunThread);
        RuntimeException failure = Daemons.closeAll(rings);
        control.close();
        lifecycle.closeKeys();
        core.close();
        if (telemetry != null) {
            telemetry.close();
        }
        tun.close();
        if (xdp != null) {
            xdp.close(); // sockets, then the program: nothing stays attached
        }
        socket.close();
        LOG.info("hub stopped");
        if (failure != null) {
            throw failure;
        }
    }

}
