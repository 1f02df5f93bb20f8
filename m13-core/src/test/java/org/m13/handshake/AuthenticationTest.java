package org.m13.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.m13.identity.AllowList;
import org.m13.identity.Identity;
import org.m13.identity.PublicIdentity;

/**
 * Issue 4 item 3: authentication means something. A man in the middle knows every
 * public key (so it can always make a valid mac1) and controls the channel; it has
 * neither the hub's nor the node's private key. Attacked runs must never establish.
 */
class AuthenticationTest {
    private final Fixture f = new Fixture();
    private final HubHandshake hub = f.hubCore();
    /** The attacker's own crypto (its work is not counted against either side). */
    private final Crypto mitm = new Crypto(new PqcCounter());

    @AfterEach
    void close() {
        hub.close();
    }

    /** Ephemeral keys the attacker generated, and the ClientHello it built with them. */
    private final class Swapped {
        final AsymmetricCipherKeyPair kem = mitm.mlKemKeyPair(f.random);
        final X25519PrivateKeyParameters x25519 = mitm.x25519KeyPair(f.random);
        final byte[] clientHello;

        Swapped(byte[] original, boolean swapKem, boolean swapX25519) {
            ClientHello o = ClientHello.decode(original);
            clientHello = ClientHello.build(o.nonce(), o.nodeKeyId(),
                    swapKem ? ((MLKEMPublicKeyParameters) kem.getPublic()).getEncoded() : o.mlKemPublicKey(),
                    swapX25519 ? x25519.generatePublicKey().getEncoded() : o.x25519PublicKey()).encode();
            new DosGuard(f.hub.publicIdentity()).stamp(clientHello); // the hub key is public
        }

        /**
         * With both ephemerals its own, the attacker computes the hub's session keys and
         * a Finished whose confirm is right, signed by {@code signer} (not the node).
         */
        byte[] finished(byte[] serverHello, PublicIdentity claimed, Identity signer, SessionKeys[] keysOut) {
            ServerHello sh = ServerHello.decode(serverHello);
            Transcript t = new Transcript(f.hub.publicIdentity(), claimed);
            t.absorb(clientHello, 0, ClientHello.AUTHENTICATED_BYTES);
            t.absorb(serverHello, 0, ServerHello.SIGNED_BYTES);
            byte[] shHash = t.hash();
            byte[] ssKem = mitm.mlKemDecapsulate((MLKEMPrivateKeyParameters) kem.getPrivate(), sh.ciphertext());
            byte[] ssX = mitm.x25519Agree(x25519, sh.x25519PublicKey());
            try (KeySchedule schedule = new KeySchedule(shHash, ssKem, ssX)) {
                t.absorb(serverHello, ServerHello.SIGNED_BYTES, ServerHello.BYTES - ServerHello.SIGNED_BYTES);
                Finished fin = Finished.build(claimed.keyId());
                t.absorb(fin.array(), 0, Finished.HEADER_BYTES);
                byte[] finHash = t.hash();
                fin.setSignature(mitm.mlDsaSign(signer.signingKey(), HandshakeProtocol.NODE_SIGNATURE_CONTEXT, finHash,
                        f.random));
                fin.setConfirm(schedule.confirm(finHash));
                keysOut[0] = schedule.sessionKeys(SessionKeys.Role.NODE, finHash);
                return fin.encode();
            }
        }
    }

    @Test
    void mitmSwappingTheNodesEphemeralKeysIsRefusedByBothSides() {
        for (boolean[] swap : new boolean[][] {{true, true}, {true, false}, {false, true}}) {
            try (NodeHandshake node = f.startNode(0)) {
                Swapped s = new Swapped(node.clientHello(), swap[0], swap[1]);
                HandshakeStep sh = hub.onClientHello(s.clientHello, Fixture.SOURCE, f.random, 0);
                assertEquals(HandshakeStep.Outcome.SENT, sh.outcome()); // the hub cannot tell yet
                // relayed unchanged: the hub signed the attacker's keys, not the node's
                HandshakeStep atNode = node.onServerHello(sh.reply(), 0);
                assertEquals(Reject.BAD_SIGNATURE, atNode.reject(), Arrays.toString(swap));
                assertNull(atNode.keys());
                assertEquals(NodeHandshake.State.WAIT_SERVER_HELLO, node.state());
            }
        }
    }

    @Test
    void mitmReEncapsulatingToTheNodeIsRefused() {
        try (NodeHandshake node = f.startNode(0)) {
            byte[] ch = node.clientHello();
            Swapped s = new Swapped(ch, true, true);
            byte[] sh = hub.onClientHello(s.clientHello, Fixture.SOURCE, f.random, 0).reply();
            // the attacker encapsulates to the node's real key and puts in its own X25519 key
            SecretWithEncapsulation toNode = mitm.mlKemEncapsulate(ClientHello.decode(ch).mlKemPublicKey(), f.random);
            ServerHello forged = ServerHello.build(ServerHello.decode(sh).nonce(), toNode.getEncapsulation(),
                    s.x25519.generatePublicKey().getEncoded());
            forged.setSignature(ServerHello.decode(sh).signature());
            assertEquals(Reject.BAD_SIGNATURE, node.onServerHello(forged.encode(), 0).reject());
        }
    }

    @Test
    void mitmSwappingTheHubsEphemeralKeysIsRefused() {
        try (NodeHandshake node = f.startNode(0)) {
            byte[] sh = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            SecretWithEncapsulation own = mitm.mlKemEncapsulate(ClientHello.decode(node.clientHello()).mlKemPublicKey(),
                    f.random);
            byte[] ct = sh.clone();
            System.arraycopy(own.getEncapsulation(), 0, ct, ServerHello.OFFSET_CIPHERTEXT,
                    HandshakeProtocol.ML_KEM_1024_CIPHERTEXT_BYTES);
            assertEquals(Reject.BAD_SIGNATURE, node.onServerHello(ct, 0).reject());
            byte[] x = sh.clone();
            System.arraycopy(mitm.x25519KeyPair(f.random).generatePublicKey().getEncoded(), 0, x,
                    ServerHello.OFFSET_X25519_KEY, HandshakeProtocol.X25519_PUBLIC_KEY_BYTES);
            assertEquals(Reject.BAD_SIGNATURE, node.onServerHello(x, 0).reject());
            // the untouched ServerHello still works: the attack did not break the attempt
            assertEquals(HandshakeStep.Outcome.ESTABLISHED, node.onServerHello(sh, 0).outcome());
        }
    }

    @Test
    void mitmCompletingTheHubSideCannotSignAsTheNode() {
        try (NodeHandshake node = f.startNode(0)) {
            Swapped s = new Swapped(node.clientHello(), true, true);
            byte[] sh = hub.onClientHello(s.clientHello, Fixture.SOURCE, f.random, 0).reply();
            SessionKeys[] attackerKeys = new SessionKeys[1];
            byte[] fin = s.finished(sh, f.node.publicIdentity(), f.attacker, attackerKeys);
            long before = f.hubCounter.mlDsaVerify();
            HandshakeStep step = hub.onFinished(fin, Fixture.SOURCE, 0);
            // the confirm was right (the attacker knows these keys), so the hub got as far as
            // the signature, and refused there: the node's identity key is what counts
            assertEquals(Reject.BAD_SIGNATURE, step.reject());
            assertEquals(before + 1, f.hubCounter.mlDsaVerify());
            assertNull(step.keys());
            attackerKeys[0].close();
        }
    }

    @Test
    void allowedNodeCannotImpersonateAnother() {
        // node-3 is on the allow-list, but claims node-1's key id and signs with its own key
        try (NodeHandshake node = f.startNode(0)) {
            Swapped s = new Swapped(node.clientHello(), true, true);
            byte[] sh = hub.onClientHello(s.clientHello, Fixture.SOURCE, f.random, 0).reply();
            SessionKeys[] keys = new SessionKeys[1];
            byte[] fin = s.finished(sh, f.node.publicIdentity(), f.otherNode, keys);
            assertEquals(Reject.BAD_SIGNATURE, hub.onFinished(fin, Fixture.SOURCE, 0).reject());
            keys[0].close();
        }
    }

    @Test
    void attackerHubSigningWithItsOwnIdentityIsRefused() {
        AllowList everyone = AllowList.builder().add("node-1", f.node.publicIdentity()).build();
        try (NodeHandshake node = f.startNode(0);
                HubHandshake impostor = new HubHandshake(f.attacker, everyone, new PqcCounter(), Fixture.CONFIG)) {
            byte[] ch = node.clientHello();
            new DosGuard(f.attacker.publicIdentity()).stamp(ch);
            HandshakeStep sh = impostor.onClientHello(ch, Fixture.SOURCE, f.random, 0);
            assertEquals(HandshakeStep.Outcome.SENT, sh.outcome());
            HandshakeStep atNode = node.onServerHello(sh.reply(), 0);
            assertEquals(Reject.BAD_SIGNATURE, atNode.reject());
            assertNull(atNode.keys());

            // even over the exact transcript the node computes (real hub key in it), a
            // signature by the attacker's key does not verify under the pinned key
            ServerHello forged = ServerHello.decode(sh.reply());
            Transcript t = new Transcript(f.hub.publicIdentity(), f.node.publicIdentity());
            t.absorb(node.clientHello(), 0, ClientHello.AUTHENTICATED_BYTES);
            t.absorb(forged.encode(), 0, ServerHello.SIGNED_BYTES);
            forged.setSignature(mitm.mlDsaSign(f.attacker.signingKey(), HandshakeProtocol.HUB_SIGNATURE_CONTEXT,
                    t.hash(), f.random));
            assertEquals(Reject.BAD_SIGNATURE, node.onServerHello(forged.encode(), 0).reject());
        }
    }

    @Test
    void nodeSignatureCannotBePassedOffAsAHubSignature() {
        // domain separation: the same key and the same hash under the other context fail
        try (NodeHandshake node = f.startNode(0)) {
            byte[] sh = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            ServerHello forged = ServerHello.decode(sh);
            Transcript t = new Transcript(f.hub.publicIdentity(), f.node.publicIdentity());
            t.absorb(node.clientHello(), 0, ClientHello.AUTHENTICATED_BYTES);
            t.absorb(sh, 0, ServerHello.SIGNED_BYTES);
            forged.setSignature(mitm.mlDsaSign(f.hub.signingKey(), HandshakeProtocol.NODE_SIGNATURE_CONTEXT, t.hash(),
                    f.random));
            assertEquals(Reject.BAD_SIGNATURE, node.onServerHello(forged.encode(), 0).reject());
        }
    }

    @Test
    void replayedServerHelloIsRefused() {
        Fixture.Run old = f.honestRun(hub, 0);
        try (NodeHandshake node = f.startNode(Fixture.SECOND)) {
            HandshakeStep replay = node.onServerHello(old.serverHello, Fixture.SECOND);
            assertEquals(Reject.BAD_SIGNATURE, replay.reject());
            assertNull(replay.keys());
            // and the genuine answer to this attempt still completes, with new keys
            byte[] sh = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, Fixture.SECOND).reply();
            HandshakeStep fin = node.onServerHello(sh, Fixture.SECOND);
            assertEquals(HandshakeStep.Outcome.ESTABLISHED, fin.outcome());
            HandshakeStep done = hub.onFinished(fin.reply(), Fixture.SOURCE, Fixture.SECOND);
            assertArrayEquals(fin.keys().nodeToHubKey(), done.keys().nodeToHubKey());
            assertEquals(false, Arrays.equals(old.nodeKeys.nodeToHubKey(), fin.keys().nodeToHubKey()));
        }
    }

    @Test
    void serverHelloForAnotherNodeIsRefused() {
        try (NodeHandshake other = NodeHandshake.start(f.otherNode, f.hub.publicIdentity(), f.random,
                new PqcCounter(), 0, Fixture.TIMEOUT); NodeHandshake node = f.startNode(0)) {
            byte[] shForOther = hub.onClientHello(other.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            assertEquals(Reject.BAD_SIGNATURE, node.onServerHello(shForOther, 0).reject());
        }
    }

    @Test
    void replayedFinishedIsRefusedWithoutPqcWork() {
        Fixture.Run old = f.honestRun(hub, 0);
        try (NodeHandshake node = f.startNode(0)) {
            byte[] unused = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            long before = f.hubCounter.pqcOperations();
            assertEquals(Reject.BAD_CONFIRM, hub.onFinished(old.finished, Fixture.SOURCE, 0).reject());
            assertEquals(before, f.hubCounter.pqcOperations());
        }
    }

    @Test
    void nodeNotOnTheAllowListIsRefusedWithoutPqcWork() {
        try (NodeHandshake stranger = NodeHandshake.start(f.attacker, f.hub.publicIdentity(), f.random,
                new PqcCounter(), 0, Fixture.TIMEOUT)) {
            HandshakeStep step = hub.onClientHello(stranger.clientHello(), Fixture.SOURCE, f.random, 0);
            assertEquals(Reject.UNKNOWN_NODE, step.reject());
            assertNull(step.reply());
            assertEquals(0, f.hubCounter.pqcOperations());
            assertEquals(0, f.hubCounter.x25519());
            assertEquals(0, hub.pendingCount());
        }
    }

    @Test
    void anyTamperedByteOfServerHelloOrFinishedIsRefused() {
        int[] shPositions = {2, 33, 34, 1000, 1601, 1602, 1633, 1634, 4000, 6260};
        for (int at : shPositions) {
            try (NodeHandshake node = f.startNode(0)) {
                byte[] sh = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
                sh[at] ^= 0x01;
                HandshakeStep step = node.onServerHello(sh, 0);
                assertEquals(HandshakeStep.Outcome.REJECTED, step.outcome(), "ServerHello byte " + at);
            }
        }
        int[] finPositions = {2, 17, 18, 2000, 4644, 4645, 4676};
        for (int at : finPositions) {
            try (NodeHandshake node = f.startNode(0)) {
                byte[] sh = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
                HandshakeStep fin = node.onServerHello(sh, 0);
                byte[] bad = fin.reply();
                bad[at] ^= 0x01;
                HandshakeStep step = hub.onFinished(bad, Fixture.SOURCE, 0);
                assertEquals(HandshakeStep.Outcome.REJECTED, step.outcome(), "Finished byte " + at);
                fin.keys().close();
            }
        }
    }
}
