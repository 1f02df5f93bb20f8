package org.m13.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The append-only record of the host changes one daemon made, one JSON object a line,
 * in {@code <directory>/<name>.journal}:
 *
 * <pre>
 * {"journal":"m13-host","name":"hub","pid":4711,"start":1733040000120}
 * {"step":1,"description":"mtu 1400 on m13tun0 (was 1500)","undo":[["ip","link","set","dev","m13tun0","mtu","1500"]]}
 * {"step":2,"description":"net.ipv4.ip_forward = 1 (was 0)","sysctl":"net.ipv4.ip_forward","old":"0","new":"1"}
 * </pre>
 *
 * The first line names the owner: its pid and the start time of that process, so that
 * a reused pid is not mistaken for the owner. A step is written and fsynced before the
 * change it describes is made, so a crash leaves at worst a step that was never
 * applied, whose undo then finds nothing to remove; a step whose command failed is cut
 * off again ({@link #retract}). A torn last line (a crash while writing it) is ignored.
 *
 * <p>The file is created complete with its owner line, atomically (written under a
 * temporary name and hard-linked into place, which fails if the journal exists), so
 * two daemons of one role cannot both own it.
 */
public final class HostJournal implements AutoCloseable {
    /** Where the daemons keep their journals: tmpfs, cleared at boot like everything recorded. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/run/m13");
    private static final String MAGIC = "m13-host";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The process that owns a journal: its pid and start time (epoch ms, -1 when unknown). */
    public record Owner(long pid, long startMillis) {
        public static Owner current() {
            ProcessHandle self = ProcessHandle.current();
            return new Owner(self.pid(), startMillis(self));
        }

        /** Whether this process still runs: a live pid with the same start time. */
        public boolean isAlive() {
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            if (handle.isEmpty() || !handle.get().isAlive()) {
                return false;
            }
            long start = startMillis(handle.get());
            return startMillis < 0 || start < 0 || start == startMillis;
        }

        public boolean isCurrentProcess() {
            return equals(current());
        }

        private static long startMillis(ProcessHandle handle) {
            return handle.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
        }
    }

    /** One way to undo a step. */
    public sealed interface Undo permits Command, Sysctl {
    }

    /** Run this command (argv, no shell). */
    public record Command(List<String> argv) implements Undo {
        public Command {
            argv = List.copyOf(argv);
            if (argv.isEmpty()) {
                throw new IllegalArgumentException("empty undo command");
            }
        }

        @Override
        public String toString() {
            return String.join(" ", argv);
        }
    }

    /** Put {@code key} back to {@code old}, if it still holds the {@code set} value the step wrote. */
    public record Sysctl(String key, String old, String set) implements Undo {
        @Override
        public String toString() {
            return "sysctl " + key + " = " + old;
        }
    }

    /** A recorded step: its number (from 1), what it did, and how to undo it (in this order). */
    public record Step(int number, String description, List<Undo> undo) {
        public Step {
            undo = List.copyOf(undo);
        }
    }

    /** What a journal file holds; {@code owner} is null when the owner line is missing or unreadable. */
    public record Contents(Owner owner, List<Step> steps) {
        public Contents {
            steps = List.copyOf(steps);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private int steps;

    private HostJournal(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** {@code <directory>/<name>.journal}; the name is a role such as {@code hub}. */
    public static Path file(Path directory, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a journal name (lower-case letters, digits, - and _): " + name);
        }
        return directory.resolve(name + ".journal");
    }

    /**
     * Creates the journal with its owner line, atomically.
     *
     * @throws FileAlreadyExistsException when a journal of that name exists
     */
    static HostJournal create(Path directory, String name, Owner owner) throws IOException {
        Path file = file(directory, name);
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, "." + name + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            ObjectNode header = JSON.createObjectNode();
            header.put("journal", MAGIC);
            header.put("name", name);
            header.put("pid", owner.pid());
            header.put("start", owner.startMillis());
            try (FileChannel c = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                write(c, header);
            }
            Files.createLink(file, temporary);
        } finally {
            Files.deleteIfExists(temporary);
        }
        syncDirectory(directory);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        return new HostJournal(file, channel);
    }

    /** The journal's contents, or empty when there is no such file. */
    public static Optional<Contents> read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Owner owner = null;
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode node;
            try {
                node = JSON.readTree(lines.get(i));
            } catch (IOException e) {
                if (i == lines.size() - 1) {
                    break; // torn by a crash while it was written: its change was never made
                }
                throw new IOException(file + ":" + (i + 1) + ": not a journal line: " + e.getMessage(), e);
            }
            if (node == null || !node.isObject()) {
                continue;
            }
            if (i == 0 && MAGIC.equals(node.path("journal").asText())) {
                owner = new Owner(node.path("pid").asLong(-1), node.path("start").asLong(-1));
            } else if (node.has("step")) {
                steps.add(step(file, i + 1, node));
            }
        }
        return Optional.of(new Contents(owner, steps));
    }

    private static Step step(Path file, int line, JsonNode node) throws IOException {
        List<Undo> undo = new ArrayList<>();
        if (node.has("sysctl")) {
            undo.add(new Sysctl(node.path("sysctl").asText(), node.path("old").asText(), node.path("new").asText()));
        }
        for (JsonNode command : node.path("undo")) {
            List<String> argv = new ArrayList<>();
            for (JsonNode arg : command) {
                argv.add(arg.asText());
            }
            if (argv.isEmpty()) {
                throw new IOException(file + ":" + line + ": empty undo command");
            }
            undo.add(new Command(argv));
        }
        return new Step(node.path("step").asInt(), node.path("description").asText(), undo);
    }

    public Path file() {
        return file;
    }

    /** Appends a step and forces it to the file before returning; the change may then be made. */
    Step append(String description, List<Undo> undo) throws IOException {
        Step step = new Step(steps + 1, description, undo);
        ObjectNode node = JSON.createObjectNode();
        node.put("step", step.number());
        node.put("description", description);
        ArrayNode commands = JSON.createArrayNode();
        for (Undo u : step.undo()) {
            if (u instanceof Sysctl s) {
                node.put("sysctl", s.key());
                node.put("old", s.old());
                node.put("new", s.set());
            } else if (u instanceof Command c) {
                ArrayNode argv = commands.addArray();
                c.argv().forEach(argv::add);
            }
        }
        if (!commands.isEmpty()) {
            node.set("undo", commands);
        }
        write(channel, node);
        steps++;
        return step;
    }

    /** Cuts the last appended step off again: its change failed and was not made. */
    void retract(long sizeBefore) throws IOException {
        channel.truncate(sizeBefore);
        channel.force(false);
        steps--;
    }

    /** The file's current size, to {@link #retract} to. */
    long size() throws IOException {
        return channel.size();
    }

    /** Closes and removes the file (after everything in it has been undone). */
    void delete() throws IOException {
        close();
        remove(file);
    }

    /** Removes a journal file (after everything in it has been undone). */
    static void remove(Path file) throws IOException {
        Files.deleteIfExists(file);
        syncDirectory(file.toAbsolutePath().getParent());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static void write(FileChannel channel, JsonNode node) throws IOException {
        ByteBuffer line = ByteBuffer.wrap((JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8));
        while (line.hasRemaining()) {
            int unused = channel.write(line);
        }
        channel.force(false);
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some file systems refuse fsync on a directory; the file itself is synced
        }
    }
}
