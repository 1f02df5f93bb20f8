package org.m13.identity;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hub's list of nodes allowed to connect: a name and an ML-DSA-87 public key each,
 * looked up by {@link KeyId} (what the ClientHello carries). Names and keys are unique;
 * at most {@link #MAX_NODES} entries (the hub's hard peer limit). Immutable.
 */
public final class AllowList {
    public static final int MAX_NODES = 256;

    /** One allowed node. */
    public static final class Entry {
        private final String name;
        private final PublicIdentity publicIdentity;

        Entry(String name, PublicIdentity publicIdentity) {
            this.name = name;
            this.publicIdentity = publicIdentity;
        }

        public String name() {
            return name;
        }

        public PublicIdentity publicIdentity() {
            return publicIdentity;
        }

        @Override
        public String toString() {
            return name + " (" + publicIdentity.keyId() + ")";
        }
    }

    /** Collects entries; {@link #build()} checks them. */
    public static final class Builder {
        private final Map<String, PublicIdentity> entries = new LinkedHashMap<>();

        /** Adds a node; refuses an empty or duplicate name, and more than 256 nodes. */
        public Builder add(String name, PublicIdentity publicIdentity) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("allowed node needs a non-empty name");
            }
            if (entries.containsKey(name)) {
                throw new IllegalArgumentException("allowed node name '" + name + "' appears twice");
            }
            if (entries.size() == MAX_NODES) {
                throw new IllegalArgumentException("at most " + MAX_NODES + " allowed nodes");
            }
            entries.put(name, publicIdentity);
            return this;
        }

        /** Refuses two names with the same key (a key identifies exactly one node). */
        public AllowList build() {
            Map<KeyId, Entry> byId = new HashMap<>();
            List<Entry> ordered = new ArrayList<>();
            for (Map.Entry<String, PublicIdentity> e : entries.entrySet()) {
                Entry entry = new Entry(e.getKey(), e.getValue());
                Entry previous = byId.putIfAbsent(e.getValue().keyId(), entry);
                if (previous != null) {
                    throw new IllegalArgumentException("allowed nodes '" + previous.name() + "' and '" + e.getKey()
                            + "' have the same public key (" + e.getValue().keyId() + ")");
                }
                ordered.add(entry);
            }
            return new AllowList(byId, ordered);
        }
    }

    private final Map<KeyId, Entry> byId;
    private final List<Entry> entries;

    private AllowList(Map<KeyId, Entry> byId, List<Entry> entries) {
        this.byId = byId;
        this.entries = Collections.unmodifiableList(entries);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The entry for a key identifier, or null if the node is not allowed. */
    public Entry lookup(KeyId keyId) {
        return byId.get(keyId);
    }

    /** Entries in the order they were added. */
    public List<Entry> entries() {
        return entries;
    }

    public int size() {
        return entries.size();
    }
}
