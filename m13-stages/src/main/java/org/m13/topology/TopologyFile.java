package org.m13.topology;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.m13.config.ConfigException;
import org.m13.config.ConfigFiles;
import org.m13.config.YamlLines;

/**
 * Reads {@code config/topology/*.yaml} into a {@link Topology} and validates it, with
 * every error naming the file and line.
 *
 * <pre>
 * rings:
 *   - name: rx                 # the ring's name: rx (link to tunnel) or tx (tunnel to link)
 *     size: 4096               # events, a power of two
 *     threads:                 # consumers in line, each running its stages back to back
 *       - name: rx-0
 *         wait: yield          # spin | yield | backoff | block (one per ring)
 *         core: any            # any (unpinned) | N | isolated (next core of /sys/devices/system/cpu/isolated)
 *         stages: [parse, decrypt, classify, scatter, release]
 * </pre>
 */
public final class TopologyFile {
    static final String ISOLATED = "/sys/devices/system/cpu/isolated";

    /** The file as written; bound by Jackson (kebab-case, unknown keys refused). */
    record Yaml(List<RingYaml> rings) {
    }

    record RingYaml(String name, Integer size, List<ThreadYaml> threads) {
    }

    record ThreadYaml(String name, @JsonProperty("wait") String waitMode, String core, List<String> stages) {
    }

    private TopologyFile() {
    }

    /**
     * Reads and validates a topology.
     *
     * @param stages roles of every stage the daemon builds
     * @param cores cores of this machine
     * @param isolatedCores the isolated CPU list as in {@value #ISOLATED} ("2-5,7"), or "" for none
     */
    public static Topology load(Path file, Set<String> stages, int cores, String isolatedCores)
            throws ConfigException {
        Yaml yaml = ConfigFiles.read(file, Yaml.class);
        YamlLines lines = new YamlLines(text(file));
        Map<String, String> keyOfPlace = new HashMap<>();
        if (yaml.rings() == null || yaml.rings().isEmpty()) {
            throw new ConfigException(file, lines.lineOf("rings"), "rings", "is required: at least one ring");
        }
        List<Integer> isolated = parseCpuList(isolatedCores);
        int nextIsolated = 0;
        List<RingSpec> rings = new ArrayList<>();
        for (int r = 0; r < yaml.rings().size(); r++) {
            RingYaml ring = yaml.rings().get(r);
            String rk = "rings[" + r + "]";
            if (ring == null || ring.name() == null || ring.name().isBlank()) {
                throw new ConfigException(file, lines.lineOf(rk), rk + ".name", "is required");
            }
            keyOfPlace.put("ring " + ring.name(), rk + ".name");
            List<ThreadSpec> threads = new ArrayList<>();
            List<ThreadYaml> ty = ring.threads() == null ? List.of() : ring.threads();
            for (int t = 0; t < ty.size(); t++) {
                ThreadYaml thread = ty.get(t);
                String tk = rk + ".threads[" + t + "]";
                if (thread == null || thread.name() == null || thread.name().isBlank()) {
                    throw new ConfigException(file, lines.lineOf(tk), tk + ".name", "is required");
                }
                keyOfPlace.put("ring " + ring.name() + ", thread " + thread.name(), tk + ".name");
                WaitMode wait;
                try {
                    wait = WaitMode.ofLabel(thread.waitMode() == null ? "yield" : thread.waitMode());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(file, lines.lineOf(tk + ".wait"), tk + ".wait", e.getMessage());
                }
                int core;
                String c = thread.core() == null ? "any" : thread.core().strip();
                if (c.equals("any")) {
                    core = ThreadSpec.UNPINNED;
                } else if (c.equals("isolated")) {
                    if (nextIsolated >= isolated.size()) {
                        throw new ConfigException(file, lines.lineOf(tk + ".core"), tk + ".core",
                                "no isolated core left (" + ISOLATED + " lists '" + isolatedCores.strip()
                                        + "'; boot with isolcpus= or name a core)");
                    }
                    core = isolated.get(nextIsolated++);
                } else {
                    try {
                        core = Integer.parseInt(c);
                    } catch (NumberFormatException e) {
                        throw new ConfigException(file, lines.lineOf(tk + ".core"), tk + ".core",
                                "'" + c + "' is not a core (any, isolated or a number)");
                    }
                }
                threads.add(new ThreadSpec(thread.name(), thread.stages() == null ? List.of() : thread.stages(),
                        wait, core));
            }
            rings.add(new RingSpec(ring.name(), ring.size() == null ? 4096 : ring.size(), threads));
        }
        Topology topology = new Topology(file.toString(), rings);
        try {
            topology.validate(stages, cores);
        } catch (TopologyException e) {
            String key = keyOfPlace.get(e.where());
            int line = key == null ? -1 : lines.lineOf(key);
            throw new ConfigException(file, line, e.where(), e.problem());
        }
        return topology;
    }

    /** The isolated cores of this machine, as the kernel lists them ("" when none). */
    public static String isolatedCores() {
        try (InputStream in = Files.newInputStream(Path.of(ISOLATED))) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** "2-5,7" to [2, 3, 4, 5, 7]. */
    static List<Integer> parseCpuList(String list) {
        List<Integer> out = new ArrayList<>();
        if (list == null || list.isBlank()) {
            return out;
        }
        for (String part : list.strip().split(",", -1)) {
            String[] range = part.strip().split("-", -1);
            int from = Integer.parseInt(range[0].strip());
            int to = range.length > 1 ? Integer.parseInt(range[1].strip()) : from;
            for (int c = from; c <= to; c++) {
                out.add(c);
            }
        }
        return out;
    }

    private static String text(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
