package io.companies.reindexer.index;

import static io.companies.reindexer.config.ReindexConfig.Index.CUSTOM_ANALYZER;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The settings and mappings of a new companies index, read from the resources {@code index/company-mappings.json}
 * and {@code index/company-analysis.json}. While loading, the index has no replica and no refresh; {@link #settled()}
 * gives the settings it gets once filled: the engine's defaults.
 */
public final class IndexDefinition {

    private static final String MAPPINGS = "index/company-mappings.json";
    private static final String ANALYSIS = "index/company-analysis.json";

    private final ObjectMapper json;
    private final int shards;
    private final int replicas;
    private final String analyzer;

    public IndexDefinition(ObjectMapper json, int shards, int replicas, String analyzer) {
        this.json = json;
        this.shards = shards;
        this.replicas = replicas;
        this.analyzer = analyzer;
    }

    /** Replicas of each shard once the index is filled. */
    public int replicas() {
        return replicas;
    }

    /** The body of the create-index request: explicit settings, analysis and strict mappings, no alias. */
    public ObjectNode forLoading() {
        ObjectNode body = json.createObjectNode();
        ObjectNode settings = body.putObject("settings");
        ObjectNode index = settings.putObject("index");
        index.put("number_of_shards", shards);
        // No replica, no refresh and no fsync per bulk request while loading: they cost engine time for documents
        // nobody can search yet, and a crash during the load fails the run anyway.
        index.put("number_of_replicas", 0);
        index.put("refresh_interval", "-1");
        index.put("translog.durability", "async");
        ObjectNode mappings = (ObjectNode) read(MAPPINGS);
        if (CUSTOM_ANALYZER.equals(analyzer)) {
            settings.set("analysis", read(ANALYSIS).get("analysis"));
        } else {
            replaceAnalyzer(mappings);
        }
        body.set("mappings", mappings);
        return body;
    }

    /** The settings a filled index gets before it is swapped in: its replicas, and the default refresh. */
    public ObjectNode settled() {
        ObjectNode settings = json.createObjectNode();
        ObjectNode index = settings.putObject("index");
        index.put("number_of_replicas", replicas);
        index.putNull("refresh_interval");
        index.putNull("translog.durability");
        return settings;
    }

    private void replaceAnalyzer(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (CUSTOM_ANALYZER.equals(object.path("analyzer").asText())) {
                object.put("analyzer", analyzer);
            }
            object.elements().forEachRemaining(this::replaceAnalyzer);
        }
    }

    private JsonNode read(String resource) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + resource);
            }
            return json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read resource " + resource, e);
        }
    }
}
