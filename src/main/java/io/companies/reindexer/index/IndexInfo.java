package io.companies.reindexer.index;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/** An existing index: its name, its creation time (epoch millis) and the {@code _meta} of its mapping. */
public record IndexInfo(String name, long createdAt, JsonNode meta) {

    /** Whether a run filled this index completely (see {@link NewIndex#promote}). */
    public boolean isComplete() {
        return meta.path(NewIndex.META_COMPLETE).asBoolean(false);
    }

    /** The definition this index was built from, as it records it; empty when it records none. */
    public Optional<DefinitionStamp> definition() {
        return DefinitionStamp.readFrom(meta);
    }
}
