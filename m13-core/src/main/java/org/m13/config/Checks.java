package org.m13.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.m13.identity.Identity;
import org.m13.identity.KeyFileException;
import org.m13.identity.KeyFiles;
import org.m13.identity.PublicIdentity;

/** Field checks shared by the hub and node configs; each names the file and key. */
final class Checks {
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern PEER_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private final Path file;
    private final YamlLines lines;

    Checks(Path file) {
        this.file = file;
        YamlLines text;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            text = new YamlLines(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            text = new YamlLines("");
        }
        this.lines = text;
    }

    ConfigException error(String key, String problem) {
        return new ConfigException(file, lines.lineOf(key), key, problem);
    }

    String required(String key, String value) throws ConfigException {
        if (value == null || value.isBlank()) {
            throw error(key, "is required");
        }
        return value.strip();
    }

    int range(String key, Integer value, int fallback, int min, int max) throws ConfigException {
        int v = value == null ? fallback : value;
        if (v < min || v > max) {
            throw error(key, v + " is out of range (" + min + ".." + max + ")");
        }
        return v;
    }

    String interfaceName(String key, String value, String fallback) throws ConfigException {
        String v = value == null ? fallback : value.strip();
        if (v == null) {
            throw error(key, "is required");
        }
        if (!IFNAME.matcher(v).matches()) {
            throw error(key, "'" + v + "' is not an interface name (1-15 of A-Z a-z 0-9 _ . -)");
        }
        return v;
    }

    String peerName(String key, String value) throws ConfigException {
        String v = required(key, value);
        if (!PEER_NAME.matcher(v).matches()) {
            throw error(key, "'" + v + "' is not a node name (lower-case letters, digits and '-', up to 32)");
        }
        return v;
    }

    Inet4Address ipv4(String key, String value) throws ConfigException {
        String v = required(key, value);
        // A literal only: a daemon must not depend on DNS to come up.
        if (!v.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw error(key, "'" + v + "' is not an IPv4 address (a.b.c.d)");
        }
        try {
            InetAddress a = InetAddress.getByName(v);
            if (a instanceof Inet4Address four) {
                return four;
            }
        } catch (UnknownHostException e) {
            // falls through to the error below
        }
        throw error(key, "'" + v + "' is not an IPv4 address (a.b.c.d)");
    }

    /** {@code a.b.c.d/n}. */
    Ipv4Cidr cidr(String key, String value, String fallback) throws ConfigException {
        String v = value == null ? fallback : value.strip();
        int slash = v.indexOf('/');
        if (slash < 0) {
            throw error(key, "'" + v + "' needs a prefix length (a.b.c.d/n)");
        }
        Inet4Address address = ipv4(key, v.substring(0, slash));
        int prefix;
        try {
            prefix = Integer.parseInt(v.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw error(key, "'" + v + "' has no valid prefix length");
        }
        if (prefix < 8 || prefix > 30) {
            throw error(key, "prefix /" + prefix + " is out of range (/8../30)");
        }
        return new Ipv4Cidr(address, prefix);
    }

    PublicIdentity publicKey(String key, String value) throws ConfigException {
        String v = required(key, value);
        try {
            return PublicIdentity.fromBase64(v);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage() + " (paste the line `m13 keygen` or `m13 pubkey` printed)");
        }
    }

    Identity identity(String key, String value) throws ConfigException {
        Path keyFile = resolve(required(key, value));
        try {
            return KeyFiles.readPrivate(keyFile);
        } catch (KeyFileException e) {
            throw error(key, e.getMessage());
        }
    }

    /** An existing file, relative paths taken from the config file's directory. */
    Path existingFile(String key, String value, String fallback) throws ConfigException {
        String v = value == null ? fallback : value.strip();
        Path p = resolve(v);
        if (!Files.isRegularFile(p)) {
            throw error(key, p + " does not exist");
        }
        return p;
    }

    Path resolve(String value) {
        Path p = Path.of(value);
        Path dir = file.toAbsolutePath().getParent();
        return p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
    }
}
