package org.m13.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the line of a key path ({@code nodes[1].public-key}) in block-style YAML, so
 * that errors found after binding (ranges, cross-field rules) name a line too. Jackson
 * knows lines only while parsing, and for records not even reliably then.
 */
public final class YamlLines {
    private static final Pattern KEY = Pattern.compile("^(\\s*)(?:-\\s+)?([A-Za-z0-9_-]+)\\s*:(?:\\s|$)");
    private static final Pattern ITEM = Pattern.compile("^(\\s*)-(?:\\s|$)");

    private final List<String> lines;

    public YamlLines(String text) {
        this.lines = List.of(text.split("\n", -1));
    }

    /** 1-based line of the path's last segment, or -1 when it is not found. */
    public int lineOf(String path) {
        List<Object> segments = segments(path);
        if (segments.isEmpty()) {
            return -1;
        }
        int from = 0;
        int to = lines.size();
        int indent = -1;
        int found = -1;
        for (Object segment : segments) {
            if (segment instanceof String key) {
                found = -1;
                for (int i = from; i < to; i++) {
                    Matcher m = KEY.matcher(lines.get(i));
                    int column = m.find() ? keyColumn(lines.get(i), m) : -1;
                    if (column > indent && m.group(2).equals(key)) {
                        found = i;
                        indent = column;
                        from = i + 1;
                        to = blockEnd(i + 1, to, column);
                        break;
                    }
                }
            } else {
                int wanted = (Integer) segment;
                int seen = -1;
                int itemIndent = -1;
                found = -1;
                for (int i = from; i < to && found < 0; i++) {
                    Matcher m = ITEM.matcher(lines.get(i));
                    if (m.find() && (itemIndent < 0 || m.group(1).length() == itemIndent)) {
                        itemIndent = m.group(1).length();
                        if (++seen == wanted) {
                            found = i;
                        }
                    }
                }
                if (found < 0) {
                    return -1;
                }
                // the item's own line may hold its first key ("- name: x")
                from = found;
                to = itemEnd(found + 1, to, itemIndent);
                indent = itemIndent;
            }
            if (found < 0) {
                return -1;
            }
        }
        return found + 1;
    }

    private static int keyColumn(String line, Matcher m) {
        return line.indexOf(m.group(2), m.group(1).length());
    }

    private int blockEnd(int from, int to, int column) {
        for (int i = from; i < to; i++) {
            String l = lines.get(i);
            if (!l.isBlank() && !l.strip().startsWith("#") && indentOf(l) <= column) {
                return i;
            }
        }
        return to;
    }

    private int itemEnd(int from, int to, int dashIndent) {
        for (int i = from; i < to; i++) {
            String l = lines.get(i);
            if (!l.isBlank() && !l.strip().startsWith("#") && indentOf(l) <= dashIndent) {
                return i;
            }
        }
        return to;
    }

    private static int indentOf(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return n;
    }

    static List<Object> segments(String path) {
        List<Object> out = new ArrayList<>();
        Matcher m = Pattern.compile("([A-Za-z0-9_-]+)|\\[(\\d+)]").matcher(path);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : (Object) Integer.valueOf(m.group(2)));
        }
        return out;
    }
}
