package org.m13.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
    private Tunnels() {
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
