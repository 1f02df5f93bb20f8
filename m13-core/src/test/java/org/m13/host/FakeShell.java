package org.m13.host;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A host made of a few maps, answering ip, iptables, ip6tables and tc the way the real
 * tools do (same output formats, exit codes and stderr), and recording every command
 * and sysctl write in order. Unknown commands exit 127, so a test that runs something
 * unexpected fails.
 */
final class FakeShell implements HostShell {
    /** One interface: mtu, up, IPv4 addresses. */
    static final class Link {
        int mtu;
        boolean up;
        final Set<String> addresses = new LinkedHashSet<>();

        Link(int mtu) {
            this.mtu = mtu;
        }

        String state() {
            return mtu + (up ? " up " : " down ") + addresses;
        }
    }

    private record FakeRoute(String destination, String via, String dev) {
        String show() {
            String d = destination.endsWith("/32") ? destination.substring(0, destination.length() - 3) : destination;
            return d + (via == null ? "" : " via " + via) + " dev " + dev + (via == null ? " scope link" : "");
        }
    }

    final Map<String, Link> links = new LinkedHashMap<>();
    private final List<FakeRoute> routes = new ArrayList<>();
    /** "iptables filter FORWARD" to its rules, each the spec joined by spaces, in chain order. */
    final Map<String, List<String>> rules = new LinkedHashMap<>();
    final Map<String, String> sysctls = new LinkedHashMap<>();
    final Set<String> readOnlySysctls = new LinkedHashSet<>();
    final Map<String, String> qdiscs = new LinkedHashMap<>();
    final Map<String, String> routeGet = new LinkedHashMap<>();
    /** A command that starts with one of these fails with this stderr, and exit code {@link #failingExit}. */
    final Map<String, String> failing = new LinkedHashMap<>();
    int failingExit = 1;
    boolean fqAvailable;
    boolean ip6tablesWorks = true;
    /** Every command run (joined by spaces) and every sysctl write ("sysctl k=v"), in order. */
    final List<String> log = new ArrayList<>();

    @CanIgnoreReturnValue
    Link link(String name, int mtu) {
        Link l = new Link(mtu);
        links.put(name, l);
        qdiscs.put(name, "noqueue");
        return l;
    }

    @CanIgnoreReturnValue
    FakeShell route(String destination, String via, String dev) {
        routes.add(new FakeRoute(destination, via, dev));
        return this;
    }

    /** The commands that changed something (no show, no -C), in order. */
    List<String> changes() {
        return log.stream().filter(c -> !c.contains(" show ") && !c.contains(" -C ") && !c.contains(" get ")).toList();
    }

    /** Everything this host holds, to compare before and after. */
    String state() {
        StringBuilder b = new StringBuilder();
        links.forEach((name, l) -> b.append("link ").append(name).append(' ').append(l.state()).append('\n'));
        routes.forEach(r -> b.append("route ").append(r.show()).append('\n'));
        rules.forEach((chain, list) -> list.forEach(r -> b.append(chain).append(' ').append(r).append('\n')));
        sysctls.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
        qdiscs.forEach((k, v) -> b.append("qdisc ").append(k).append(' ').append(v).append('\n'));
        return b.toString();
    }

    @Override
    public Result run(List<String> argv) {
        String command = String.join(" ", argv);
        log.add(command);
        for (Map.Entry<String, String> f : failing.entrySet()) {
            if (command.startsWith(f.getKey())) {
                return new Result(failingExit, "", f.getValue());
            }
        }
        return switch (argv.get(0)) {
            case "ip" -> ip(argv.subList(1, argv.size()));
            case "iptables", "ip6tables" -> iptables(argv);
            case "tc" -> tc(argv.subList(1, argv.size()));
            default -> new Result(127, "", argv.get(0) + ": command not found");
        };
    }

    private Result ip(List<String> a) {
        String c = String.join(" ", a);
        if (c.startsWith("-o link show dev ")) {
            String name = a.get(4);
            Link l = links.get(name);
            if (l == null) {
                return noDevice(name);
            }
            return ok("5: " + name + ": <POINTOPOINT,MULTICAST,NOARP" + (l.up ? ",UP,LOWER_UP" : "") + "> mtu " + l.mtu
                    + " qdisc " + qdiscs.get(name) + " state " + (l.up ? "UNKNOWN" : "DOWN")
                    + " mode DEFAULT group default qlen 500\\    link/none \n");
        }
        if (a.size() == 6 && c.startsWith("link set dev ")) {
            Link l = links.get(a.get(3));
            if (l == null) {
                return noDevice(a.get(3));
            }
            switch (a.get(4)) {
                case "mtu" -> l.mtu = Integer.parseInt(a.get(5));
                default -> {
                    return usage(c);
                }
            }
            return ok("");
        }
        if (a.size() == 5 && c.startsWith("link set dev ")) {
            Link l = links.get(a.get(3));
            if (l == null) {
                return noDevice(a.get(3));
            }
            l.up = a.get(4).equals("up");
            return ok("");
        }
        if (c.startsWith("-o -4 addr show dev ")) {
            String name = a.get(5);
            Link l = links.get(name);
            if (l == null) {
                return new Result(1, "", "Device \"" + name + "\" does not exist.\n");
            }
            StringBuilder b = new StringBuilder();
            for (String address : l.addresses) {
                b.append("5: ").append(name).append("    inet ").append(address).append(" scope global ").append(name)
                        .append("\\       valid_lft forever preferred_lft forever\n");
            }
            return ok(b.toString());
        }
        if (a.size() == 5 && (a.get(1).equals("add") || a.get(1).equals("del")) && a.get(0).equals("addr")) {
            Link l = links.get(a.get(4));
            if (l == null) {
                return noDevice(a.get(4));
            }
            if (a.get(1).equals("add")) {
                return l.addresses.add(a.get(2)) ? ok("") : new Result(2, "", "RTNETLINK answers: File exists\n");
            }
            return l.addresses.remove(a.get(2)) ? ok("")
                    : new Result(2, "", "RTNETLINK answers: Cannot assign requested address\n");
        }
        if (c.startsWith("-4 route get ")) {
            String answer = routeGet.get(a.get(3));
            return answer == null ? new Result(2, "", "RTNETLINK answers: Network is unreachable\n")
                    : ok(answer + "\n    cache \n");
        }
        if (c.startsWith("-4 route show exact ")) {
            StringBuilder b = new StringBuilder();
            routes.stream().filter(r -> r.destination().equals(a.get(4))).forEach(r -> b.append(r.show()).append('\n'));
            return ok(b.toString());
        }
        if (a.get(0).equals("route") && (a.get(1).equals("add") || a.get(1).equals("del"))) {
            String destination = a.get(2);
            String via = a.get(3).equals("via") ? a.get(4) : null;
            String dev = a.get(a.indexOf("dev") + 1);
            FakeRoute r = new FakeRoute(destination, via, dev);
            if (a.get(1).equals("add")) {
                if (!links.containsKey(dev)) {
                    return noDevice(dev);
                }
                if (routes.stream().anyMatch(x -> x.destination().equals(destination))) {
                    return new Result(2, "", "RTNETLINK answers: File exists\n");
                }
                routes.add(r);
                return ok("");
            }
            return routes.remove(r) ? ok("") : new Result(2, "", "RTNETLINK answers: No such process\n");
        }
        return usage(c);
    }

    private Result iptables(List<String> argv) {
        String tool = argv.get(0);
        if (tool.equals("ip6tables") && !ip6tablesWorks) {
            return new Result(3, "", "ip6tables v1.8.9 (nf_tables): can't initialize ip6tables table `filter'\n");
        }
        if (!argv.get(1).equals("-w") || !argv.get(2).equals("-t")) {
            return usage(String.join(" ", argv));
        }
        String table = argv.get(3);
        String op = argv.get(4);
        String chain = argv.get(5);
        int specStart = op.equals("-I") ? 7 : 6;
        String spec = String.join(" ", argv.subList(specStart, argv.size()));
        List<String> list = rules.computeIfAbsent(tool + " " + table + " " + chain, k -> new ArrayList<>());
        String missing = tool + ": Bad rule (does a matching rule exist in that chain?).\n";
        return switch (op) {
            case "-C" -> list.contains(spec) ? ok("") : new Result(1, "", missing);
            case "-A" -> {
                list.add(spec);
                yield ok("");
            }
            case "-I" -> {
                list.add(Integer.parseInt(argv.get(6)) - 1, spec);
                yield ok("");
            }
            case "-D" -> list.remove(spec) ? ok("") : new Result(1, "", missing);
            default -> usage(String.join(" ", argv));
        };
    }

    private Result tc(List<String> a) {
        String dev = a.get(3);
        if (!qdiscs.containsKey(dev)) {
            return new Result(1, "", "Cannot find device \"" + dev + "\"\n");
        }
        return switch (a.get(1)) {
            case "show" -> ok(qdiscs.get(dev).equals("fq") ? "qdisc fq 8001: root refcnt 2 limit 10000p flow_limit 100p\n"
                    : "qdisc noqueue 0: root refcnt 2 \n");
            case "replace" -> {
                if (!fqAvailable) {
                    yield new Result(2, "", "Error: Specified qdisc kind is unknown.\n");
                }
                qdiscs.put(dev, "fq");
                yield ok("");
            }
            case "del" -> {
                if (qdiscs.get(dev).equals("noqueue")) {
                    yield new Result(2, "", "Error: Cannot delete qdisc with handle of zero.\n");
                }
                qdiscs.put(dev, "noqueue");
                yield ok("");
            }
            default -> usage(String.join(" ", a));
        };
    }

    @Override
    public Optional<String> readSysctl(String key) {
        return Optional.ofNullable(sysctls.get(key));
    }

    @Override
    public void writeSysctl(String key, String value) throws HostSetupException {
        log.add("sysctl " + key + "=" + value);
        if (readOnlySysctls.contains(key)) {
            throw new HostSetupException("cannot set sysctl " + key + " = " + value + ": Permission denied");
        }
        if (!sysctls.containsKey(key)) {
            throw new HostSetupException("cannot set sysctl " + key + ": No such file or directory");
        }
        sysctls.put(key, value);
    }

    private static Result ok(String out) {
        return new Result(0, out, "");
    }

    private static Result noDevice(String name) {
        return new Result(1, "", "Cannot find device \"" + name + "\"\n");
    }

    private static Result usage(String c) {
        return new Result(255, "", "fake: unknown command: " + c);
    }
}
