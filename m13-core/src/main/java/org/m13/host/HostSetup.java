package org.m13.host;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.m13.config.Ipv4Cidr;
import org.m13.host.HostJournal.Command;
import org.m13.host.HostJournal.Contents;
import org.m13.host.HostJournal.Owner;
import org.m13.host.HostJournal.Step;
import org.m13.host.HostJournal.Sysctl;
import org.m13.host.HostJournal.Undo;
import org.m13.host.HostShell.Result;

/**
 * The host changes of one daemon, applied idempotently and undone exactly.
 *
 * <p>Each method looks first (so applying twice changes once), records the step with
 * its undo in the {@link HostJournal} and forces it to disk, and only then makes the
 * change; it returns whether it changed anything. A failed command throws
 * {@link HostSetupException} naming the command, its exit code and stderr; its step is
 * cut off the journal, and everything applied before stays recorded.
 *
 * <p>{@link #close()} undoes every step in reverse order and deletes the journal. It is
 * idempotent and synchronized, so a shutdown hook may call it while or after the
 * daemon does. {@link #open} first undoes a journal left behind by a crash (its owner is
 * gone, or it is this process's own abandoned one) and refuses when the owner is
 * another running process: two daemons of one role on one host.
 *
 * <p>Undoing is lenient: something that is already gone (the TUN device vanished with
 * its descriptor, a rule someone deleted) counts as undone, and a sysctl another
 * program changed since is left as that program set it.
 */
public final class HostSetup implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HostSetup.class.getName());
    /** The only programs an undo command may run (a journal is data, never a script). */
    static final Set<String> UNDO_TOOLS = Set.of("ip", "iptables", "ip6tables", "tc");
    static final String FQ_UNAVAILABLE = "fq qdisc not available on this kernel; pacing is done by M13's own pacer";
    private static final AtomicBoolean FQ_REPORTED = new AtomicBoolean();
    private static final Map<Path, HostSetup> LIVE = new ConcurrentHashMap<>();
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern COMMA = Pattern.compile(",");
    private static final int CREATE_ATTEMPTS = 3;
    private static final String UNDONE = "undone";
    private static final String GONE = "already gone";
    /** stderr of an undo whose target no longer exists (ip, iptables, tc). */
    private static final List<String> ALREADY_GONE = List.of("Cannot find device", "No such device",
            "No such process", "Cannot assign requested address", "does a matching rule exist",
            "No chain/target/match by that name", "Cannot delete qdisc with handle of zero",
            "No such file or directory");

    private final String name;
    private final HostShell shell;
    private final HostJournal journal;
    private final Path key;
    private final List<Step> steps = new ArrayList<>();
    private boolean closed;

    /** The route the kernel picks for an address: through {@code via}, or on-link when via is null. */
    public record Route(String via, String dev) {
    }

    private HostSetup(String name, HostShell shell, HostJournal journal, Path key) {
        this.name = name;
        this.shell = shell;
        this.journal = journal;
        this.key = key;
    }

    /** {@link #open(Path, String, HostShell)} on this host. */
    public static HostSetup open(Path journalDirectory, String name) throws HostSetupException {
        return open(journalDirectory, name, HostShell.system());
    }

    /**
     * Starts the set-up of role {@code name} ({@code hub}, {@code node}) with its journal
     * in {@code journalDirectory} ({@link HostJournal#DEFAULT_DIRECTORY} for the daemons),
     * after undoing what a crashed run left there.
     *
     * @throws HostSetupException when another running process owns that journal, or it
     *         cannot be written
     */
    public static HostSetup open(Path journalDirectory, String name, HostShell shell) throws HostSetupException {
        Path file = HostJournal.file(journalDirectory, name);
        for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
            int unused = recover(journalDirectory, name, shell);
            try {
                HostJournal journal = HostJournal.create(journalDirectory, name, Owner.current());
                HostSetup setup = new HostSetup(name, shell, journal, liveKey(file));
                LIVE.put(setup.key, setup);
                return setup;
            } catch (FileAlreadyExistsException e) {
                // another process created it between our look and our link: look again
            } catch (IOException e) {
                throw new HostSetupException("cannot create the host set-up journal " + file + ": " + e, e);
            }
        }
        throw new HostSetupException("cannot create the host set-up journal " + file
                + ": it reappears each time (another " + name + " daemon starting?)");
    }

    /**
     * Undoes the set-up a journal left behind records and deletes the journal; returns
     * the number of steps it held (0 also when there is none). Logs one WARN line per
     * step. This is {@code m13 host-undo}, and the first thing {@link #open} does.
     *
     * @throws HostSetupException when the journal's owner still runs (and is not this
     *         process), or the journal cannot be read
     */
    public static int recover(Path journalDirectory, String name, HostShell shell) throws HostSetupException {
        Path file = HostJournal.file(journalDirectory, name);
        Optional<Contents> found;
        try {
            found = HostJournal.read(file);
        } catch (IOException e) {
            throw new HostSetupException("cannot read the host set-up journal " + file + ": " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            return 0;
        }
        Contents contents = found.get();
        Owner owner = contents.owner();
        if (owner != null && owner.isAlive()) {
            if (!owner.isCurrentProcess()) {
                throw new HostSetupException("the " + name + " host set-up in " + file + " belongs to process "
                        + owner.pid() + ", which is running: only one m13 " + name
                        + " runs on a host; stop it first");
            }
            HostSetup abandoned = LIVE.remove(liveKey(file));
            if (abandoned != null) {
                abandoned.disown();
            }
        }
        String who = owner == null ? "a process that left no owner line" : "process " + owner.pid();
        List<Step> steps = contents.steps();
        for (int i = steps.size() - 1; i >= 0; i--) {
            Step step = steps.get(i);
            LOG.log(Level.WARNING, "{0}: undoing step {1} that {2} left behind in {3}: {4}: {5}", name,
                    step.number(), who, file, step.description(), undo(shell, step));
        }
        try {
            HostJournal.remove(file);
        } catch (IOException e) {
            throw new HostSetupException("cannot delete the host set-up journal " + file + ": " + e, e);
        }
        return steps.size();
    }

    public String name() {
        return name;
    }

    public Path journalFile() {
        return journal.file();
    }

    /** The steps applied so far, in order. */
    public synchronized List<Step> steps() {
        return List.copyOf(steps);
    }

    // ---- links and addresses ------------------------------------------------------

    /** Sets the device's MTU (undo: the old one). */
    @CanIgnoreReturnValue
    public synchronized boolean setMtu(String dev, int mtu) throws HostSetupException {
        int old = link(dev).mtu();
        if (old == mtu) {
            return false;
        }
        return applyOrThrow("mtu " + mtu + " on " + dev + " (was " + old + ")",
                List.of(command("ip", "link", "set", "dev", dev, "mtu", Integer.toString(old))),
                List.of("ip", "link", "set", "dev", dev, "mtu", Integer.toString(mtu)));
    }

    /** Sets the device up (undo: down). */
    @CanIgnoreReturnValue
    public synchronized boolean linkUp(String dev) throws HostSetupException {
        if (link(dev).up()) {
            return false;
        }
        return applyOrThrow(dev + " up", List.of(command("ip", "link", "set", "dev", dev, "down")),
                List.of("ip", "link", "set", "dev", dev, "up"));
    }

    /** Adds an IPv4 address to the device (undo: delete it). */
    @CanIgnoreReturnValue
    public synchronized boolean addAddress(String dev, Ipv4Cidr address) throws HostSetupException {
        String cidr = address.toString();
        Result shown = query(List.of("ip", "-o", "-4", "addr", "show", "dev", dev));
        for (String line : shown.stdout().lines().toList()) {
            List<String> tokens = tokens(line);
            int inet = tokens.indexOf("inet");
            if (inet >= 0 && inet + 1 < tokens.size() && tokens.get(inet + 1).equals(cidr)) {
                return false;
            }
        }
        return applyOrThrow("address " + cidr + " on " + dev,
                List.of(command("ip", "addr", "del", cidr, "dev", dev)),
                List.of("ip", "addr", "add", cidr, "dev", dev));
    }

    private record Link(int mtu, boolean up) {
    }

    private Link link(String dev) throws HostSetupException {
        String line = query(List.of("ip", "-o", "link", "show", "dev", dev)).stdout();
        int open = line.indexOf('<');
        int close = line.indexOf('>', open + 1);
        List<String> tokens = tokens(line);
        int mtu = tokens.indexOf("mtu");
        if (open < 0 || close < 0 || mtu < 0 || mtu + 1 >= tokens.size()) {
            throw new HostSetupException("cannot parse `ip -o link show dev " + dev + "`: " + line.strip());
        }
        boolean up = Arrays.asList(COMMA.split(line.substring(open + 1, close))).contains("UP");
        try {
            return new Link(Integer.parseInt(tokens.get(mtu + 1)), up);
        } catch (NumberFormatException e) {
            throw new HostSetupException("cannot parse the mtu in `ip -o link show dev " + dev + "`: " + line.strip(),
                    e);
        }
    }

    // ---- sysctls ------------------------------------------------------------------

    /** The sysctl's current value, or empty when this kernel (or namespace) has no such key. */
    public Optional<String> sysctl(String key) throws HostSetupException {
        return shell.readSysctl(key);
    }

    /** Sets a sysctl (undo: the old value, unless another program changed it since). */
    @CanIgnoreReturnValue
    public synchronized boolean setSysctl(String key, String value) throws HostSetupException {
        String old = shell.readSysctl(key)
                .orElseThrow(() -> new HostSetupException("this kernel has no sysctl " + key));
        if (old.equals(value)) {
            return false;
        }
        ensureOpen();
        long before = journalSize();
        Step step = append(key + " = " + value + " (was " + old + ")", List.of(new Sysctl(key, old, value)));
        try {
            shell.writeSysctl(key, value);
        } catch (HostSetupException e) {
            retract(before);
            throw e;
        }
        steps.add(step);
        return true;
    }

    /** Raises a numeric sysctl to at least {@code atLeast}; a higher value is left alone. */
    @CanIgnoreReturnValue
    public synchronized boolean raiseSysctl(String key, long atLeast) throws HostSetupException {
        String old = shell.readSysctl(key)
                .orElseThrow(() -> new HostSetupException("this kernel has no sysctl " + key));
        try {
            if (Long.parseLong(old) >= atLeast) {
                return false;
            }
        } catch (NumberFormatException e) {
            throw new HostSetupException("sysctl " + key + " is not a number: " + old, e);
        }
        return setSysctl(key, Long.toString(atLeast));
    }

    // ---- routes -------------------------------------------------------------------

    /** The route the kernel takes to {@code address} now ({@code ip route get}). */
    public Route routeTo(Inet4Address address) throws HostSetupException {
        String host = address.getHostAddress();
        Result r = shell.run(List.of("ip", "-4", "route", "get", host));
        if (!r.ok()) {
            throw new HostSetupException("no route to " + host + ": " + r.stderr().strip());
        }
        List<String> tokens = tokens(r.stdout().lines().findFirst().orElse(""));
        String dev = after(tokens, "dev");
        if (tokens.isEmpty() || !tokens.get(0).equals(host) || dev == null) {
            throw new HostSetupException(host + " is not reached through a device (a local address?): `ip -4 route get "
                    + host + "` says " + r.stdout().strip());
        }
        return new Route(after(tokens, "via"), dev);
    }

    /** Adds a route to {@code destination} (a prefix), through {@code via} (null: on-link) out of {@code dev}. */
    @CanIgnoreReturnValue
    public synchronized boolean addRoute(String destination, String via, String dev) throws HostSetupException {
        Result shown = query(List.of("ip", "-4", "route", "show", "exact", destination));
        for (String line : shown.stdout().lines().toList()) {
            List<String> tokens = tokens(line);
            if (dev.equals(after(tokens, "dev")) && java.util.Objects.equals(via, after(tokens, "via"))) {
                return false;
            }
        }
        List<String> spec = new ArrayList<>(List.of(destination));
        if (via != null) {
            spec.addAll(List.of("via", via));
        }
        spec.addAll(List.of("dev", dev));
        return applyOrThrow("route " + String.join(" ", spec), List.of(command(concat(List.of("ip", "route", "del"),
                spec))), concat(List.of("ip", "route", "add"), spec));
    }

    // ---- iptables -----------------------------------------------------------------

    /** Appends an iptables rule ({@code -A}) unless {@code -C} finds it (undo: {@code -D} of the same spec). */
    @CanIgnoreReturnValue
    public synchronized boolean iptables(String table, String chain, String... spec) throws HostSetupException {
        return rule("iptables", table, chain, false, List.of(spec));
    }

    /** Inserts an iptables rule at the head of the chain ({@code -I chain 1}), so a later DROP cannot shadow it. */
    @CanIgnoreReturnValue
    public synchronized boolean iptablesFirst(String table, String chain, String... spec) throws HostSetupException {
        return rule("iptables", table, chain, true, List.of(spec));
    }

    /** {@link #iptablesFirst} for IPv6. */
    @CanIgnoreReturnValue
    public synchronized boolean ip6tablesFirst(String table, String chain, String... spec) throws HostSetupException {
        return rule("ip6tables", table, chain, true, List.of(spec));
    }

    private boolean rule(String tool, String table, String chain, boolean first, List<String> spec)
            throws HostSetupException {
        List<String> base = List.of(tool, "-w", "-t", table);
        List<String> check = concat(concat(base, List.of("-C", chain)), spec);
        Result present = shell.run(check);
        if (present.ok()) {
            return false;
        }
        if (present.exit() != 1) {
            throw HostSetupException.failed(check, present);
        }
        List<String> add = concat(concat(base, first ? List.of("-I", chain, "1") : List.of("-A", chain)), spec);
        return applyOrThrow(tool + " -t " + table + " " + chain + " " + String.join(" ", spec),
                List.of(command(concat(concat(base, List.of("-D", chain)), spec))), add);
    }

    // ---- qdisc --------------------------------------------------------------------

    /**
     * Puts the fq qdisc on the device (undo: back to the default root qdisc). Where the
     * kernel has no fq, says so once per process and returns false, with no journal entry.
     */
    @CanIgnoreReturnValue
    public synchronized boolean addQdiscFq(String dev) throws HostSetupException {
        for (String line : query(List.of("tc", "qdisc", "show", "dev", dev)).stdout().lines().toList()) {
            if (line.startsWith("qdisc fq ") && line.contains(" root ")) {
                return false;
            }
        }
        List<String> argv = List.of("tc", "qdisc", "replace", "dev", dev, "root", "fq");
        Result r = apply("fq qdisc on " + dev, List.of(command("tc", "qdisc", "del", "dev", dev, "root")), argv);
        if (r.ok()) {
            return true;
        }
        if (r.stderr().contains("qdisc kind is unknown") || r.stderr().contains("Unknown qdisc")) {
            if (FQ_REPORTED.compareAndSet(false, true)) {
                LOG.log(Level.INFO, FQ_UNAVAILABLE);
            }
            return false;
        }
        throw HostSetupException.failed(argv, r);
    }

    // ---- undo ---------------------------------------------------------------------

    /**
     * Undoes every step in reverse order and deletes the journal. Idempotent; never
     * throws: what cannot be undone is logged and the rest is still undone.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LIVE.remove(key, this);
        for (int i = steps.size() - 1; i >= 0; i--) {
            Step step = steps.get(i);
            String outcome = undo(shell, step);
            LOG.log(outcome.equals(UNDONE) || outcome.equals(GONE) ? Level.DEBUG : Level.WARNING,
                    "{0}: undo step {1}: {2}: {3}", name, step.number(), step.description(), outcome);
        }
        try {
            journal.delete();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "{0}: cannot delete the host set-up journal {1}: {2}", name, journal.file(), e);
        }
        LOG.log(Level.INFO, "{0}: host set-up undone ({1} steps)", name, steps.size());
    }

    /** Runs a step's undo; says how it went ({@link #UNDONE}, {@link #GONE}, or what failed). */
    static String undo(HostShell shell, Step step) {
        List<String> outcomes = new ArrayList<>();
        for (Undo u : step.undo()) {
            try {
                outcomes.add(undoOne(shell, u));
            } catch (HostSetupException e) {
                outcomes.add("failed: " + e.getMessage());
            }
        }
        if (outcomes.stream().allMatch(UNDONE::equals)) {
            return UNDONE;
        }
        if (outcomes.stream().allMatch(o -> o.equals(UNDONE) || o.equals(GONE))) {
            return GONE;
        }
        return String.join("; ", outcomes);
    }

    private static String undoOne(HostShell shell, Undo undo) throws HostSetupException {
        if (undo instanceof Sysctl s) {
            Optional<String> now = shell.readSysctl(s.key());
            if (now.isEmpty()) {
                return GONE;
            }
            if (!now.get().equals(s.set())) {
                return "left " + s.key() + " at " + now.get() + " (changed since it was set to " + s.set() + ")";
            }
            shell.writeSysctl(s.key(), s.old());
            return UNDONE;
        }
        List<String> argv = ((Command) undo).argv();
        if (!UNDO_TOOLS.contains(argv.get(0))) {
            return "refused to run `" + String.join(" ", argv) + "`: not one of " + UNDO_TOOLS;
        }
        Result r = shell.run(argv);
        if (r.ok()) {
            return UNDONE;
        }
        if (ALREADY_GONE.stream().anyMatch(r.stderr()::contains)) {
            return GONE;
        }
        return "failed: " + HostSetupException.failed(argv, r).getMessage();
    }

    /** Called when this process opened the same journal again: that run undoes this one's steps. */
    private synchronized void disown() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            journal.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "{0}: cannot close the abandoned journal {1}: {2}", name, journal.file(), e);
        }
    }

    // ---- plumbing -----------------------------------------------------------------

    private boolean applyOrThrow(String description, List<Undo> undo, List<String> argv)
            throws HostSetupException {
        Result r = apply(description, undo, argv);
        if (!r.ok()) {
            throw HostSetupException.failed(argv, r);
        }
        return true;
    }

    /** Records the step, runs {@code argv}; keeps the step if it succeeded, cuts it off if it failed. */
    private Result apply(String description, List<Undo> undo, List<String> argv) throws HostSetupException {
        ensureOpen();
        long before = journalSize();
        Step step = append(description, undo);
        Result r;
        try {
            r = shell.run(argv);
        } catch (HostSetupException e) {
            steps.add(step); // it may have been applied before it timed out: keep its undo
            throw e;
        }
        if (r.ok()) {
            steps.add(step);
        } else {
            retract(before);
        }
        return r;
    }

    private Result query(List<String> argv) throws HostSetupException {
        Result r = shell.run(argv);
        if (!r.ok()) {
            throw HostSetupException.failed(argv, r);
        }
        return r;
    }

    private void ensureOpen() throws HostSetupException {
        if (closed) {
            throw new HostSetupException("the " + name + " host set-up is closed");
        }
    }

    private long journalSize() throws HostSetupException {
        try {
            return journal.size();
        } catch (IOException e) {
            throw journalFailure(e);
        }
    }

    private Step append(String description, List<Undo> undo) throws HostSetupException {
        try {
            return journal.append(description, undo);
        } catch (IOException e) {
            throw journalFailure(e);
        }
    }

    private void retract(long before) throws HostSetupException {
        try {
            journal.retract(before);
        } catch (IOException e) {
            throw journalFailure(e);
        }
    }

    private HostSetupException journalFailure(IOException e) {
        return new HostSetupException("cannot write the host set-up journal " + journal.file() + ": " + e, e);
    }

    private static Path liveKey(Path file) {
        return file.toAbsolutePath().normalize();
    }

    private static Command command(String... argv) {
        return new Command(List.of(argv));
    }

    private static Command command(List<String> argv) {
        return new Command(argv);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<String> tokens(String line) {
        String stripped = line.strip();
        return stripped.isEmpty() ? List.of() : Arrays.asList(WHITESPACE.split(stripped));
    }

    private static String after(List<String> tokens, String word) {
        int i = tokens.indexOf(word);
        return i >= 0 && i + 1 < tokens.size() ? tokens.get(i + 1) : null;
    }
}
