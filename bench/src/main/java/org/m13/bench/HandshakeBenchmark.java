package org.m13.bench;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.ParametersWithContext;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSASigner;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMExtractor;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyPairGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;
import org.m13.handshake.ClientHello;
import org.m13.handshake.HandshakeStep;
import org.m13.handshake.HubHandshake;
import org.m13.handshake.NodeHandshake;
import org.m13.handshake.PqcCounter;
import org.m13.identity.AllowList;
import org.m13.identity.Identity;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The handshake's CPU cost: each primitive as Bouncy Castle runs it, and each side of a
 * full handshake through the real cores (node: start + ServerHello; hub: ClientHello +
 * Finished), plus what a stranger's ClientHello with a bad mac1 costs the hub. Average
 * time per operation in microseconds; a handshake per side = the sum of its two steps.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class HandshakeBenchmark {
    private static final long TIMEOUT = 10_000_000_000L;
    private static final byte[] CONTEXT = {'b', 'e', 'n', 'c', 'h'};

    private final SecureRandom random = new SecureRandom();
    private Identity hub;
    private Identity node;
    private AllowList allowList;
    private MLKEMKeyPairGenerator kemGenerator;
    private AsymmetricCipherKeyPair kemPair;
    private MLKEMPublicKeyParameters kemPublic;
    private byte[] ciphertext;
    private byte[] transcriptHash;
    private byte[] signature;
    private X25519PrivateKeyParameters x25519Peer;
    private byte[] ikm;
    private byte[] strangerHello;

    @Setup(Level.Trial)
    public void setUp() throws CryptoException {
        hub = Identity.generate(random);
        node = Identity.generate(random);
        allowList = AllowList.builder().add("node", node.publicIdentity()).build();
        kemGenerator = new MLKEMKeyPairGenerator();
        kemGenerator.init(new MLKEMKeyGenerationParameters(random, MLKEMParameters.ml_kem_1024));
        kemPair = kemGenerator.generateKeyPair();
        kemPublic = (MLKEMPublicKeyParameters) kemPair.getPublic();
        ciphertext = new MLKEMGenerator(random).generateEncapsulated(kemPublic).getEncapsulation();
        transcriptHash = new byte[64];
        random.nextBytes(transcriptHash);
        signature = mlDsaSign();
        x25519Peer = new X25519PrivateKeyParameters(random);
        ikm = new byte[64];
        random.nextBytes(ikm);
        strangerHello = new byte[ClientHello.BYTES];
        random.nextBytes(strangerHello);
        strangerHello[0] = 0x01;
        strangerHello[1] = 0x02;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        hub.close();
        node.close();
    }

    /**
     * One handshake attempt, made again before every invocation (outside the measured
     * time) and advanced to the step a subclass names.
     */
    @State(Scope.Thread)
    public static class Attempt {
        HubHandshake hubCore;
        NodeHandshake nodeAttempt;
        byte[] clientHello;
        byte[] serverHello;
        byte[] finished;

        void prepare(HandshakeBenchmark b, int step) {
            hubCore = new HubHandshake(b.hub, b.allowList, new PqcCounter(), HubHandshake.Config.defaults());
            nodeAttempt = NodeHandshake.start(b.node, b.hub.publicIdentity(), b.random, new PqcCounter(), 0, TIMEOUT);
            clientHello = nodeAttempt.clientHello();
            if (step >= 2) {
                serverHello = hubCore.onClientHello(clientHello, 1, b.random, 0).reply();
            }
            if (step >= 3) {
                HandshakeStep fin = nodeAttempt.onServerHello(serverHello, 0);
                finished = fin.reply();
                fin.keys().close();
            }
        }

        @TearDown(Level.Invocation)
        public void end() {
            nodeAttempt.close();
            hubCore.close();
        }
    }

    /** An attempt whose ClientHello is ready. */
    @State(Scope.Thread)
    public static class Started extends Attempt {
        @Setup(Level.Invocation)
        public void setUp(HandshakeBenchmark b) {
            prepare(b, 1);
        }
    }

    /** An attempt whose ServerHello is ready. */
    @State(Scope.Thread)
    public static class Answered extends Attempt {
        @Setup(Level.Invocation)
        public void setUp(HandshakeBenchmark b) {
            prepare(b, 2);
        }
    }

    /** An attempt whose Finished is ready. */
    @State(Scope.Thread)
    public static class Finishing extends Attempt {
        @Setup(Level.Invocation)
        public void setUp(HandshakeBenchmark b) {
            prepare(b, 3);
        }
    }

    private byte[] mlDsaSign() throws CryptoException {
        MLDSASigner signer = new MLDSASigner();
        signer.init(true, new ParametersWithContext(new ParametersWithRandom(hub.signingKey(), random), CONTEXT));
        signer.update(transcriptHash, 0, transcriptHash.length);
        return signer.generateSignature();
    }

    // ---- primitives ----

    @Benchmark
    public AsymmetricCipherKeyPair mlKem1024KeyGen() {
        return kemGenerator.generateKeyPair();
    }

    @Benchmark
    public SecretWithEncapsulation mlKem1024Encaps() {
        return new MLKEMGenerator(random).generateEncapsulated(kemPublic);
    }

    @Benchmark
    public byte[] mlKem1024Decaps() {
        return new MLKEMExtractor((MLKEMPrivateKeyParameters) kemPair.getPrivate()).extractSecret(ciphertext);
    }

    @Benchmark
    public byte[] mlDsa87Sign() throws CryptoException {
        return mlDsaSign();
    }

    @Benchmark
    public boolean mlDsa87Verify() {
        MLDSASigner verifier = new MLDSASigner();
        verifier.init(false, new ParametersWithContext(hub.publicIdentity().verificationKey(), CONTEXT));
        verifier.update(transcriptHash, 0, transcriptHash.length);
        return verifier.verifySignature(signature);
    }

    @Benchmark
    public byte[] x25519KeyGenAndAgree() {
        X25519PrivateKeyParameters own = new X25519PrivateKeyParameters(random);
        byte[] secret = new byte[32];
        own.generateSecret(x25519Peer.generatePublicKey(), secret, 0);
        return secret;
    }

    @Benchmark
    public byte[] hkdfSha512ExtractAndExpandTwoKeys() {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA512Digest());
        byte[] prk = hkdf.extractPRK(transcriptHash, ikm);
        byte[] out = new byte[64];
        hkdf.init(HKDFParameters.skipExtractParameters(prk, CONTEXT));
        return out.length == hkdf.generateBytes(out, 0, 64) ? out : prk;
    }

    // ---- the handshake, step by step through the real cores ----

    /** Node: nonce, ML-KEM and X25519 key pairs, ClientHello with mac1. */
    @Benchmark
    public NodeHandshake nodeStart() {
        return NodeHandshake.start(node, hub.publicIdentity(), random, new PqcCounter(), 0, TIMEOUT);
    }

    /** Hub: mac1, allow-list, X25519, ML-KEM encaps, transcript, ML-DSA sign. */
    @Benchmark
    public HandshakeStep hubClientHello(Started a) {
        return a.hubCore.onClientHello(a.clientHello, 1, random, 0);
    }

    /** Node: ML-DSA verify, X25519, ML-KEM decaps, key schedule, ML-DSA sign. */
    @Benchmark
    public HandshakeStep nodeServerHello(Answered a) {
        HandshakeStep step = a.nodeAttempt.onServerHello(a.serverHello, 0);
        step.keys().close();
        return step;
    }

    /** Hub: confirm, ML-DSA verify, session keys. */
    @Benchmark
    public HandshakeStep hubFinished(Finishing a) {
        HandshakeStep step = a.hubCore.onFinished(a.finished, 1, 0);
        step.keys().close();
        return step;
    }

    /** Hub: a stranger's ClientHello (bad mac1) is refused after one HMAC. */
    @Benchmark
    public HandshakeStep hubRefusesBadMac(Started a) {
        return a.hubCore.onClientHello(strangerHello, 2, random, 0);
    }

    /** The whole handshake after the node's start, both sides, on one thread. */
    @Benchmark
    public HandshakeStep fullHandshakeBothSides(Started a) {
        HandshakeStep sh = a.hubCore.onClientHello(a.clientHello, 1, random, 0);
        HandshakeStep fin = a.nodeAttempt.onServerHello(sh.reply(), 0);
        HandshakeStep done = a.hubCore.onFinished(fin.reply(), 1, 0);
        fin.keys().close();
        done.keys().close();
        return done;
    }
}
