package org.m13.daemon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.m13.config.FecSettings;
import org.m13.crypto.AesGcm;
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
import org.m13.sys.Datagrams;
import org.m13.sys.TunDevice;
import org.m13.topology.AffinityThreads;
import org.m13.topology.Topology;
import org.m13.topology.TopologyBuilder;
import org.m13.topology.TopologyFile;
import org.m13.wire.Direction;

/**
 * One side (hub or node) of the data path, wired as the daemons wire it (the same
 * stages, the shipped topology file, the same edges: link poller, tun reader,
 * tun-write, link-tx), over in-memory link and TUN backends. The control plane is left
 * out: the session is installed directly.
 */
final class PipelineSide implements AutoCloseable {
    static final Path COMPACT = Path.of(System.getProperty("m13.repo", ".."), "config", "topology", "compact.yaml");
    static final Set<String> STAGES = Set.of("parse", "decrypt", "classify", "scatter", "release", "seal", "link-tx",
            "tx-release");

    final boolean hub;
    final PeerTable peers;
    final SlotPool rxPool = new SlotPool(4096, SlotPool.DEFAULT_SLOT_BYTES);
    final SlotPool txPool = new SlotPool(6144, SlotPool.DEFAULT_SLOT_BYTES, 3);
    final Decrypt decrypt;
    final Release rxRelease;
    final Release txRelease;
    final TunWriter tunWriter;
    final LinkPoller poller;
    final TunReader tunReader;
    final LinkFeedback linkFeedback;
    /** Null without FEC. */
    final FeedbackSender feedbackOut;
    /** Null without FEC. */
    final FecOutbound fecOut;
    final List<RingPipeline> rings;
    final List<Thread> threads = new ArrayList<>();
    private final Thread pollerThread;
    private final Thread tunThread;

    PipelineSide(boolean hub, Path topologyFile, Datagrams link, TunDevice tun, long ourMac) throws Exception {
        this(hub, topologyFile, link, tun, ourMac, null);
    }

    /** @param fec FEC and feedback as the daemons run them, or null for plain TUNNEL frames and no feedback */
    PipelineSide(boolean hub, Path topologyFile, Datagrams link, TunDevice tun, long ourMac, FecSettings fec)
            throws Exception {
        this.hub = hub;
        this.peers = hub ? PeerTable.hub(4) : PeerTable.node();
        this.decrypt = new Decrypt(rxPool, peers, hub ? Direction.HUB_TO_NODE : Direction.NODE_TO_HUB);
        this.rxRelease = new Release(rxPool, NanoClock.SYSTEM);
        this.txRelease = new Release(txPool, NanoClock.SYSTEM, "tx-release");
        this.tunWriter = new TunWriter(tun, rxPool, peers, hub);
        LinkAdaptation adaptation = new LinkAdaptation(peers, fec == null ? FecSettings.defaults() : fec, 0);
        this.linkFeedback = adaptation.feedback();
        Scatter scatter = new Scatter(rxPool, tunWriter, Sink.UNWIRED, Sink.UNWIRED, tunWriter.repairSink(), linkFeedback);
        List<Stage> stages = List.of(new Parse(rxPool, peers), decrypt, new Classify(rxPool),
                scatter, rxRelease,
                new Seal(txPool, peers, hub ? Direction.HUB_TO_NODE : Direction.NODE_TO_HUB),
                new LinkTx(txPool, new UdpLinkSender(link, txPool, hub)), txRelease);
        Topology topology = TopologyFile.load(topologyFile, STAGES, Runtime.getRuntime().availableProcessors(), "");
        this.rings = TopologyBuilder.build(topology, stages, Runtime.getRuntime().availableProcessors(),
                new AffinityThreads());
        RingPipeline rx = ring("rx");
        RingPipeline tx = ring("tx");
        this.poller = new LinkPoller(link, rxPool, rx, hub);
        TxProducer fromTun = new TxProducer(txPool, 0, tx, peers, hub, ourMac);
        if (fec != null) {
            adaptation.attach(rxPool, peers, rxRelease, rx, scatter, tunWriter,
                    new TxProducer(txPool, 2, tx, peers, hub, ourMac), fromTun); // as the daemons wire it
            this.feedbackOut = adaptation.feedbackOut();
            this.fecOut = adaptation.fecOut();
        } else {
            this.feedbackOut = null;
            this.fecOut = null;
        }
        this.tunReader = new TunReader(tun, fromTun, peers, 1400, fecOut, null);
        this.pollerThread = new Thread(poller, (hub ? "hub" : "node") + "-link-rx");
        this.tunThread = new Thread(tunReader, (hub ? "hub" : "node") + "-tun-rx");
        for (RingPipeline r : rings) {
            for (int i = 0; i < r.threadCount(); i++) {
                threads.add(r.thread(i));
            }
        }
        threads.add(pollerThread);
        threads.add(tunThread);
    }

    RingPipeline ring(String name) {
        return rings.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    /** Installs a session: {@code send} seals what this side sends, {@code open} opens what it receives. */
    void session(int peer, byte[] send, byte[] open) {
        var unused = peers.install(peer, new Session(AesGcm.withKey(send), AesGcm.withKey(open), 0));
    }

    void start() {
        for (RingPipeline r : rings) {
            r.start();
        }
        pollerThread.start();
        tunThread.start();
    }

    /** Whether every event published so far went through every stage. */
    boolean drained() {
        for (RingPipeline r : rings) {
            if (r.processed() < r.published()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        stop();
    }

    /** Stops the edges, then the rings (each ring thread publishes its last telemetry as it stops). */
    void stop() {
        poller.stop();
        tunReader.stop();
        try {
            pollerThread.join(5_000);
            tunThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (RingPipeline r : rings) {
            r.close();
        }
    }
}
