package io.companies.reindexer.index;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What an index records in its mapping's {@code _meta} of the definition it was built from: the fingerprint of
 * everything that decides its documents and their analysis (settings, mappings, analysis, document mapper, code lists),
 * and the definition's version, which only grows from one build of the service to the next.
 */
public record DefinitionStamp(String fingerprint, int version) {

    static final String FINGERPRINT = "definition";
    static final String VERSION = "definitionVersion";

    void writeTo(ObjectNode meta) {
        meta.put(FINGERPRINT, fingerprint).put(VERSION, version);
    }

    /** The stamp in an index's {@code _meta}; empty when it has none (built by an older service, or by hand). */
    static Optional<DefinitionStamp> readFrom(JsonNode meta) {
        JsonNode fingerprint = meta.path(FINGERPRINT);
        JsonNode version = meta.path(VERSION);
        if (!fingerprint.isTextual() || !version.canConvertToInt()) {
            return Optional.empty();
        }
        return Optional.of(new DefinitionStamp(fingerprint.asText(), version.asInt()));
    }
}
