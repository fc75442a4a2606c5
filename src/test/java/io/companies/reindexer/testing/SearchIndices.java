package io.companies.reindexer.testing;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** What searchers see in the real engine: aliases, indices and documents, read over HTTP. */
public final class SearchIndices {

    private final RestClient client;
    private final ObjectMapper json = new ObjectMapper();

    public SearchIndices(RestClient client) {
        this.client = client;
    }

    public List<String> aliasTargets(String alias) throws IOException {
        JsonNode answer = getOrNull("/_alias/" + alias);
        List<String> targets = new ArrayList<>();
        if (answer != null) {
            answer.fieldNames().forEachRemaining(targets::add);
        }
        return targets;
    }

    /** Every alias {@code index} carries, sorted. */
    public List<String> aliasesOf(String index) throws IOException {
        JsonNode answer = getOrNull("/" + index + "/_alias");
        List<String> aliases = new ArrayList<>();
        if (answer != null) {
            answer.path(index).path("aliases").fieldNames().forEachRemaining(aliases::add);
        }
        return aliases.stream().sorted().toList();
    }

    /** The names of the indices that match {@code wildcard}, sorted. */
    public List<String> indices(String wildcard) throws IOException {
        List<String> names = new ArrayList<>();
        JsonNode answer = getOrNull("/" + wildcard + "/_settings/index.creation_date");
        if (answer != null) {
            answer.fieldNames().forEachRemaining(names::add);
        }
        return names.stream().sorted().toList();
    }

    /** The index-level settings of {@code index}, flat ({@code index.refresh_interval}, ...). */
    public JsonNode settings(String index) throws IOException {
        return getOrNull("/" + index + "/_settings?flat_settings=true").path(index).path("settings");
    }

    /** The cluster health of {@code index} (status, active shards, ...), without waiting. */
    public JsonNode health(String index) throws IOException {
        return getOrNull("/_cluster/health/" + index);
    }

    /** Sets a persistent cluster setting; {@code null} puts it back to its default. */
    public void putClusterSetting(String key, String value) throws IOException {
        ObjectNode body = json.createObjectNode();
        body.putObject("persistent").put(key, value);
        Request request = new Request("PUT", "/_cluster/settings");
        request.setJsonEntity(json.writeValueAsString(body));
        client.performRequest(request);
    }

    /** The {@code _meta} of {@code index}'s mapping; a missing node when it has none. */
    public JsonNode mappingMeta(String index) throws IOException {
        return getOrNull("/" + index + "/_mapping").path(index).path("mappings").path("_meta");
    }

    public boolean exists(String index) throws IOException {
        return getOrNull("/" + index + "/_settings") != null;
    }

    public long count(String indexOrAlias) throws IOException {
        return getOrNull("/" + indexOrAlias + "/_count").path("count").asLong();
    }

    /** The source of one document, or null. */
    public JsonNode source(String indexOrAlias, String id) throws IOException {
        JsonNode answer = getOrNull("/" + indexOrAlias + "/_doc/" + id);
        return answer == null ? null : answer.get("_source");
    }

    /** The sources of every document (up to 10,000), as they are stored. */
    public List<JsonNode> allSources(String indexOrAlias) throws IOException {
        List<JsonNode> sources = new ArrayList<>();
        getOrNull("/" + indexOrAlias + "/_search?size=10000").path("hits").path("hits")
                .forEach(hit -> sources.add(hit.get("_source")));
        return sources;
    }

    /** Index operations {@code index} has taken so far, searchable or not (its refresh may be switched off). */
    public long indexOperations(String index) throws IOException {
        return getOrNull("/" + index + "/_stats/indexing").path("_all").path("primaries").path("indexing")
                .path("index_total").asLong();
    }

    /** An index of ours other than {@code except} with at least {@code operations} index operations, or null. */
    public String filling(String except, long operations) throws IOException {
        for (String index : indices("companies-*")) {
            if (!index.equals(except) && indexOperations(index) >= operations) {
                return index;
            }
        }
        return null;
    }

    /** The nodes holding a started primary shard of {@code index}, by shard number ({@code _cat/shards}). */
    public Map<Integer, String> primaryNodes(String index) throws IOException {
        Map<Integer, String> nodes = new TreeMap<>();
        for (JsonNode shard : getOrNull("/_cat/shards/" + index + "?format=json&h=shard,prirep,state,node")) {
            if (shard.path("prirep").asText().equals("p") && shard.path("state").asText().equals("STARTED")) {
                nodes.put(shard.path("shard").asInt(), shard.path("node").asText());
            }
        }
        return nodes;
    }

    public void refresh(String indexOrAlias) throws IOException {
        client.performRequest(new Request("POST", "/" + indexOrAlias + "/_refresh"));
    }

    /** Deletes every index matching the wildcard (test clean-up of our own indices only). */
    public void deleteAll(String wildcard) throws IOException {
        for (String index : indices(wildcard)) {
            client.performRequest(new Request("DELETE", "/" + index));
        }
    }

    private JsonNode getOrNull(String path) throws IOException {
        try (InputStream body = client.performRequest(new Request("GET", path)).getEntity().getContent()) {
            return json.readTree(body);
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                return null;
            }
            throw e;
        }
    }
}
