package org.m13.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.m13.identity.Identity;
import org.m13.identity.KeyFiles;
import org.m13.sys.NetnsTestKit;

/** What the end-to-end tests do around the daemons: commands in a namespace, keys, and checks. */
final class Tunnels {
    /** The internet host behind the hub's NAT, in the third namespace. */
    static final String INTERNET = "203.0.113.2";

    private Tunnels() {
    }

    /**
     * The network every test here builds: node --veth 198.51.100.0/24-- hub --veth
     * 203.0.113.0/24-- internet ({@link #INTERNET}), and a free name for the tunnel.
     */
    record Network(String hubNs, String nodeNs, String inetNs, String hubLink, String nodeLink, String uplink,
            String tunnel) {
    }

    /** Skips (with the reason) unless root, the native library and iptables are here. */
    static void assumeRootNativeAndIptables() {
        NetnsTestKit.assumeRootAndNative();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/iptables")) || Files.isExecutable(Path.of("/sbin/iptables")),
                "needs iptables (the hub NATs the tunnel out of its uplink)");
    }

    /** Creates {@link Network} in {@code kit}'s namespaces (removed with the kit). */
    static Network network(NetnsTestKit kit) throws Exception {
        String hubNs = kit.namespace("hub");
        String nodeNs = kit.namespace("node");
        String inetNs = kit.namespace("inet");
        String hubLink = kit.link("h");
        String nodeLink = kit.link("n");
        String uplink = kit.link("u");
        kit.veth(nodeLink, nodeNs, hubLink, hubNs);
        kit.veth(uplink, hubNs, kit.link("i"), inetNs);
        NetnsTestKit.ip("-n", nodeNs, "addr", "add", "198.51.100.2/24", "dev", nodeLink);
        NetnsTestKit.ip("-n", hubNs, "addr", "add", "198.51.100.1/24", "dev", hubLink);
        NetnsTestKit.ip("-n", hubNs, "addr", "add", "203.0.113.1/24", "dev", uplink);
        NetnsTestKit.ip("-n", inetNs, "addr", "add", INTERNET + "/24", "dev", kit.link("i"));
        return new Network(hubNs, nodeNs, inetNs, hubLink, nodeLink, uplink, kit.link("t"));
    }

    /** Writes a fresh identity to {@code file} and returns its public key (base64). */
    static String key(Path file) throws Exception {
        try (Identity id = KeyFiles.generateAndWrite(file, new SecureRandom())) {
            return id.publicIdentity().base64();
        }
    }

    /** The shipped compact topology. */
    static String topology() {
        return Path.of(System.getProperty("m13.repo", ".."), "config", "topology", "compact.yaml").toString();
    }

    /** Runs {@code command} in namespace {@code ns}: the exit code, a newline, then its output. */
    static String run(String ns, String... command) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of(command));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + argv);
        return p.exitValue() + "\n" + out;
    }

    /** Whether three pings from {@code ns} to {@code target} all come back. */
    static boolean ping(String ns, String target) throws Exception {
        return run(ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", target).startsWith("0\n");
    }

    /** 143 = 128 + SIGTERM: how the JVM reports an orderly exit after SIGTERM (the units list it as success). */
    static void assertStoppedCleanly(int exit) {
        assertTrue(exit == 0 || exit == 143, "exit code " + exit);
    }

    /**
     * Sends {@code bytes} of seeded random data over TCP from {@code fromNs} to a server on
     * {@code target}:5001 in {@code toNs} and checks that count and SHA-256 arrive unchanged.
     */
    static void transferIntact(NetnsTestKit kit, String fromNs, String toNs, String target, int bytes)
            throws Exception {
        ExecutorService server = kit.threadIn(toNs);
        ExecutorService client = kit.threadIn(fromNs);
        ServerSocket listening = server.submit(() -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(InetAddress.getByName(target), 5001));
            return s;
        }).get(10, TimeUnit.SECONDS);
        try (listening) {
            Future<String> received = server.submit(() -> {
                listening.setSoTimeout(30_000);
                try (Socket s = listening.accept(); InputStream in = s.getInputStream()) {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    byte[] buf = new byte[65536];
                    long total = 0;
                    for (int n; (n = in.read(buf)) > 0;) {
                        sha.update(buf, 0, n);
                        total += n;
                    }
                    return total + " " + HexFormat.of().formatHex(sha.digest());
                }
            });
            String sent = client.submit(() -> {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                Random random = new Random(13);
                byte[] buf = new byte[65536];
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getByName(target), 5001), 10_000);
                    OutputStream out = s.getOutputStream();
                    for (int left = bytes; left > 0; left -= buf.length) {
                        random.nextBytes(buf);
                        out.write(buf);
                        sha.update(buf);
                    }
                }
                return bytes + " " + HexFormat.of().formatHex(sha.digest());
            }).get(120, TimeUnit.SECONDS);
            assertEquals(sent, received.get(60, TimeUnit.SECONDS), "every byte through the tunnel and the NAT");
        }
    }
}
