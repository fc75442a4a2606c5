package io.companies.reindexer.index;

import static io.companies.reindexer.config.ReindexConfig.Index.CUSTOM_ANALYZER;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The settings and mappings of a new companies index, read from the resources {@code index/company-mappings.json}
 * and {@code index/company-analysis.json}. While loading, the index has no replica and no refresh; {@link #settled()}
 * gives the settings it gets once filled: the engine's defaults, and the replicas asked for or, by default, one where
 * a second data node can hold it.
 */
public final class IndexDefinition {

    private static final String MAPPINGS = "index/company-mappings.json";
    private static final String ANALYSIS = "index/company-analysis.json";

    /** What {@code index.auto_expand_replicas} gets when no number of replicas is set: 1 with a second node, else 0. */
    static final String AUTO_EXPAND_REPLICAS = "0-1";

    private final ObjectMapper json;
    private final int shards;
    private final Optional<Integer> replicas;
    private final String analyzer;

    /** @param replicas replicas of each shard once filled; empty for one where a second data node can hold it */
    public IndexDefinition(ObjectMapper json, int shards, Optional<Integer> replicas, String analyzer) {
        this.json = json;
        this.shards = shards;
        this.replicas = replicas;
        this.analyzer = analyzer;
    }

    /**
     * Checks, before anything is created, that a cluster of {@code dataNodes} data nodes can place every copy of a
     * shard the settings ask for: each needs a node of its own, and a wait for copies that cannot be placed would
     * only end with its timeout.
     *
     * @throws IllegalStateException naming the setting, when it cannot
     */
    public void checkPlaceable(int dataNodes) {
        if (replicas.isPresent() && replicas.get() >= dataNodes) {
            throw new IllegalStateException("reindex.index.replicas=" + replicas.get() + " asks for " + (replicas.get()
                    + 1) + " copies of every shard, each on a node of its own, but the cluster has " + dataNodes
                    + " data node(s): set REINDEX_INDEX_REPLICAS to at most " + Math.max(0, dataNodes - 1)
                    + ", or leave it unset for one replica wherever a second data node can hold it");
        }
    }

    /** The replicas of each shard once the index is filled, as the settings say it: a number, or {@code 0-1}. */
    public String replicasLabel() {
        return replicas.map(String::valueOf).orElse(AUTO_EXPAND_REPLICAS + " (auto-expanded)");
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
        if (replicas.isPresent()) {
            index.put("number_of_replicas", replicas.get());
        } else {
            index.put("auto_expand_replicas", AUTO_EXPAND_REPLICAS);
        }
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
