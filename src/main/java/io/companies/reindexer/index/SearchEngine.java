package io.companies.reindexer.index;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * The engine's REST API as this service uses it: the only class that talks to OpenSearch or Elasticsearch. Works on
 * both, through the low-level client; failures surface as {@link IOException}s, non-2xx answers as
 * {@link ResponseException}s.
 */
@ApplicationScoped
public class SearchEngine {

    private static final ContentType NDJSON = ContentType.create("application/x-ndjson");
    /**
     * All {@link BulkResult} reads of an item: about 40 bytes an item instead of 250, which the engine does not have
     * to write nor the service to parse.
     */
    private static final String BULK_ANSWER_FIELDS = "items.*._id,items.*.status,items.*.error";

    @Inject
    RestClient client;

    @Inject
    ObjectMapper json;

    public void createIndex(String index, JsonNode body) throws IOException {
        send("PUT", "/" + index, body);
    }

    public void updateSettings(String index, JsonNode settings) throws IOException {
        send("PUT", "/" + index + "/_settings", settings);
    }

    /** Marks an index in its mapping's {@code _meta}, where a later run can read it back with {@link #indices}. */
    public void putMeta(String index, JsonNode meta) throws IOException {
        send("PUT", "/" + index + "/_mapping", json.createObjectNode().set("_meta", meta));
    }

    /** Sends one {@code _bulk} body of NDJSON lines into {@code index} and returns the parsed answer. */
    public BulkResult bulk(String index, byte[] ndjson, int length) throws IOException {
        Request request = new Request("POST", "/" + index + "/_bulk");
        request.addParameter("filter_path", BULK_ANSWER_FIELDS);
        request.setEntity(new ByteArrayEntity(ndjson, 0, length, NDJSON));
        try (InputStream body = client.performRequest(request).getEntity().getContent()) {
            return BulkResult.parse(json, body);
        }
    }

    public void refresh(String index) throws IOException {
        send("POST", "/" + index + "/_refresh", null);
    }

    public long count(String index) throws IOException {
        return read(send("GET", "/" + index + "/_count", null)).path("count").asLong();
    }

    /** The indices {@code alias} points to; empty when the alias does not exist. */
    public List<String> aliasTargets(String alias) throws IOException {
        try {
            List<String> targets = new ArrayList<>();
            read(send("GET", "/_alias/" + alias, null)).fieldNames().forEachRemaining(targets::add);
            return targets;
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                return List.of();
            }
            throw e;
        }
    }

    /** Every index matching {@code wildcard}, with its creation time and the {@code _meta} of its mapping. */
    public List<IndexInfo> indices(String wildcard) throws IOException {
        JsonNode settings = read(send("GET", "/" + wildcard + "/_settings/index.creation_date", null));
        JsonNode mappings = read(send("GET", "/" + wildcard + "/_mapping", null));
        List<IndexInfo> indices = new ArrayList<>();
        settings.fields().forEachRemaining(entry -> indices.add(new IndexInfo(entry.getKey(),
                entry.getValue().path("settings").path("index").path("creation_date").asLong(),
                mappings.path(entry.getKey()).path("mappings").path("_meta"))));
        return indices;
    }

    /** Applies all {@code actions} of one {@code _aliases} request: the engine applies them atomically. */
    public void updateAliases(ArrayNode actions) throws IOException {
        send("POST", "/_aliases", json.createObjectNode().set("actions", actions));
    }

    /** Deletes {@code index}; an index that is already gone is fine. */
    public void deleteIndex(String index) throws IOException {
        try {
            send("DELETE", "/" + index, null);
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() != 404) {
                throw e;
            }
        }
    }

    private Response send(String method, String path, JsonNode body) throws IOException {
        Request request = new Request(method, path);
        if (body != null) {
            request.setJsonEntity(toJson(body));
        }
        return client.performRequest(request);
    }

    private JsonNode read(Response response) throws IOException {
        try (InputStream body = response.getEntity().getContent()) {
            return json.readTree(body);
        }
    }

    private String toJson(JsonNode body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
