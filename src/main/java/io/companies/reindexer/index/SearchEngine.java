package io.companies.reindexer.index;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.plumbing.Backoff;

import io.quarkus.logging.Log;

import org.apache.http.client.config.RequestConfig;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The engine's REST API as this service uses it: the only class that talks to OpenSearch or Elasticsearch. Works on
 * both, through the low-level client; failures surface as {@link IOException}s, non-2xx answers as
 * {@link ResponseException}s. Calls that can be repeated safely are repeated after an unclear answer (a lost
 * connection, a timeout, a 429 or a 5xx), with the bulk requests' bounded backoff: the engine may have done the work.
 */
@ApplicationScoped
public class SearchEngine {

    private static final ContentType NDJSON = ContentType.create("application/x-ndjson");
    /** What a request that waits on the engine adds to its wait for the answer to travel back. */
    private static final Duration SERVER_WAIT_MARGIN = Duration.ofSeconds(10);
    /**
     * All {@link BulkResult} reads of an item: about 40 bytes an item instead of 250, which the engine does not have
     * to write nor the service to parse.
     */
    private static final String BULK_ANSWER_FIELDS = "items.*._id,items.*.status,items.*.error";

    @Inject
    RestClient client;

    @Inject
    ObjectMapper json;

    @Inject
    ReindexConfig config;

    @ConfigProperty(name = "quarkus.elasticsearch.connection-timeout")
    Duration connectionTimeout;

    @ConfigProperty(name = "quarkus.elasticsearch.socket-timeout")
    Duration socketTimeout;

    /** A document's place in its shard's history: a write made with it fails if anyone wrote the document since. */
    public record SeqNo(long seqNo, long primaryTerm) {
    }

    /**
     * Creates {@code index}. Not repeated blindly: after an unclear answer it checks whether the index exists, which,
     * with a random name, means the lost answer was a success.
     */
    public void createIndex(String index, JsonNode body) throws IOException {
        boolean[] sent = { false };
        repeatable("PUT /" + index, () -> {
            if (!(sent[0] && exists(index))) {
                sent[0] = true;
                send("PUT", "/" + index, body);
            }
            return null;
        });
    }

    public boolean exists(String index) throws IOException {
        // The low-level client answers a HEAD's 404 as a response, not as a ResponseException.
        return repeatable("HEAD /" + index,
                () -> send("HEAD", "/" + index, null).getStatusLine().getStatusCode() != 404);
    }

    public void updateSettings(String index, JsonNode settings) throws IOException {
        repeatable("PUT /" + index + "/_settings", () -> send("PUT", "/" + index + "/_settings", settings));
    }

    /** Marks an index in its mapping's {@code _meta}, where a later run can read it back with {@link #indices}. */
    public void putMeta(String index, JsonNode meta) throws IOException {
        repeatable("PUT /" + index + "/_mapping",
                () -> send("PUT", "/" + index + "/_mapping", json.createObjectNode().set("_meta", meta)));
    }

    /**
     * Sends one {@code _bulk} body of NDJSON lines through the alias {@code writer} and returns the parsed answer: the
     * {@code length} bytes of {@code ndjson} from {@code offset}. Once the alias is gone, the engine refuses each item
     * (404) rather than creating an index of that name.
     *
     * @throws TooLargeException when the engine refuses a body that large (413)
     */
    public BulkResult bulk(String writer, byte[] ndjson, int offset, int length) throws IOException {
        Request request = new Request("POST", "/" + writer + "/_bulk");
        request.addParameter("require_alias", "true");
        request.addParameter("filter_path", BULK_ANSWER_FIELDS);
        request.setEntity(new ByteArrayEntity(ndjson, offset, length, NDJSON));
        try (InputStream body = client.performRequest(request).getEntity().getContent()) {
            return BulkResult.parse(json, body);
        } catch (ResponseException e) {
            if (status(e) == 413) {
                throw new TooLargeException(e);
            }
            throw e;
        }
    }

    /** The engine refused a request body as too large (413). */
    public static final class TooLargeException extends IOException {
        public TooLargeException(Throwable cause) {
            super("The engine refused the request body as too large (413)", cause);
        }
    }

    /**
     * Where each of these documents stands in {@code index} now; documents that are not there are left out. Read
     * before the source rows, so that a write made with it fails if the owning application wrote in between. A
     * document the engine could not look up (an item error, such as a shard unavailable) is an unclear answer, not an
     * absence: the look-up is sent again, and fails if the error persists.
     */
    public Map<String, SeqNo> seqNos(String index, Collection<String> ids) throws IOException {
        JsonNode body = json.createObjectNode().set("ids", json.valueToTree(ids));
        JsonNode answer = repeatable("GET /" + index + "/_mget", () -> {
            JsonNode docs = read(send("GET", "/" + index + "/_mget?_source=false&realtime=true", body));
            for (JsonNode doc : docs.path("docs")) {
                if (doc.has("error")) {
                    throw new IOException("The engine could not look document " + doc.path("_id").asText()
                            + " up: " + doc.path("error").path("type").asText() + ": "
                            + doc.path("error").path("reason").asText());
                }
            }
            return docs;
        });
        Map<String, SeqNo> found = new HashMap<>();
        for (JsonNode doc : answer.path("docs")) {
            if (doc.path("found").asBoolean(false)) {
                found.put(doc.path("_id").asText(), new SeqNo(doc.path("_seq_no").asLong(),
                        doc.path("_primary_term").asLong()));
            }
        }
        return found;
    }

    /**
     * Where the documents of the companies with an id in ({@code afterId}, {@code lastId}] stand in {@code index}, as
     * last refreshed: at most {@code size}, in id order. {@code pk} is mapped without an index, so the engine filters
     * and sorts on its doc values.
     */
    public SequencedMap<String, SeqNo> seqNosBetween(String index, int afterId, int lastId, int size)
            throws IOException {
        ObjectNode body = json.createObjectNode().put("size", size).put("_source", false).put("seq_no_primary_term",
                true);
        body.putObject("query").putObject("range").putObject("pk").put("gt", afterId).put("lte", lastId);
        body.putArray("sort").addObject().put("pk", "asc");
        JsonNode answer = repeatable("POST /" + index + "/_search",
                () -> read(send("POST", "/" + index + "/_search", body)));
        SequencedMap<String, SeqNo> found = new LinkedHashMap<>();
        for (JsonNode hit : answer.path("hits").path("hits")) {
            found.put(hit.path("_id").asText(), new SeqNo(hit.path("_seq_no").asLong(),
                    hit.path("_primary_term").asLong()));
        }
        return found;
    }

    /** Makes every document searchable; the engine may take up to {@code reindex.index.refresh-timeout}. */
    public void refresh(String index) throws IOException {
        RequestOptions options = waitingUpTo(config.index().refreshTimeout());
        repeatable("POST /" + index + "/_refresh", () -> send("POST", "/" + index + "/_refresh", null, options));
    }

    /**
     * Commits the index's segments to disk, with every operation it has taken; the engine may take up to
     * {@code reindex.index.refresh-timeout}.
     */
    public void flush(String index) throws IOException {
        RequestOptions options = waitingUpTo(config.index().refreshTimeout());
        repeatable("POST /" + index + "/_flush",
                () -> send("POST", "/" + index + "/_flush?force=true", null, options));
    }

    /** Operations of the index's translog that its last safe commit lacks: none once a flush has made them durable. */
    public long uncommittedOperations(String index) throws IOException {
        return repeatable("GET /" + index + "/_stats/translog",
                () -> read(send("GET", "/" + index + "/_stats/translog", null))).path("_all").path("primaries")
                .path("translog").path("uncommitted_operations").asLong();
    }

    /**
     * The highest sequence number each primary shard of {@code index} has taken, by shard number. Only a write raises
     * it, and a primary that comes back without operations it had acknowledged (lost with its node) has a lower one.
     */
    public Map<Integer, Long> maxSeqNos(String index) throws IOException {
        String path = "/" + index + "/_stats/docs?level=shards";
        JsonNode shards = repeatable("GET " + path, () -> read(send("GET", path, null))).path("indices").path(index)
                .path("shards");
        Map<Integer, Long> maxSeqNos = new TreeMap<>();
        shards.fields().forEachRemaining(shard -> shard.getValue().forEach(copy -> {
            if (copy.path("routing").path("primary").asBoolean()) {
                maxSeqNos.put(Integer.valueOf(shard.getKey()), copy.path("seq_no").path("max_seq_no").asLong());
            }
        }));
        return maxSeqNos;
    }

    public long count(String index) throws IOException {
        return repeatable("GET /" + index + "/_count",
                () -> read(send("GET", "/" + index + "/_count", null)).path("count").asLong());
    }

    /** The health of an index, and how many data nodes the cluster has to place its shards on. */
    public record Health(String status, int activeShards, int dataNodes) {
        public boolean green() {
            return "green".equals(status);
        }
    }

    /**
     * The health of {@code index} once every shard copy, replicas included, is active (green), or once {@code wait}
     * has passed: the engine waits, and the request gets a socket timeout longer than that wait.
     */
    public Health health(String index, Duration wait) throws IOException {
        String path = "/_cluster/health/" + index + "?wait_for_status=green&timeout=" + wait.toMillis() + "ms";
        RequestOptions options = waitingUpTo(wait);
        JsonNode health = repeatable("GET " + path, () -> {
            try {
                return read(send("GET", path, null, options));
            } catch (ResponseException e) {
                // A timed-out wait answers 408 with the health it reached.
                if (status(e) == 408) {
                    return read(e.getResponse());
                }
                throw e;
            }
        });
        return new Health(health.path("status").asText(), health.path("active_shards").asInt(),
                health.path("number_of_data_nodes").asInt());
    }

    /** Data nodes in the cluster: the nodes shard copies can be placed on. */
    public int dataNodes() throws IOException {
        return repeatable("GET /_cluster/health", () -> read(send("GET", "/_cluster/health", null)))
                .path("number_of_data_nodes").asInt();
    }

    /** Bytes the shard copies of {@code index} that are being recovered (replicas being built) have received so far. */
    public long recoveringBytes(String index) throws IOException {
        JsonNode recoveries = repeatable("GET /" + index + "/_recovery",
                () -> read(send("GET", "/" + index + "/_recovery?active_only=true", null)));
        long bytes = 0;
        for (JsonNode shard : recoveries.path(index).path("shards")) {
            bytes += shard.path("index").path("size").path("recovered_in_bytes").asLong();
        }
        return bytes;
    }

    /** Searches and writes the engine is executing on {@code index} at this moment. */
    public long operationsInFlight(String index) throws IOException {
        JsonNode total = repeatable("GET /" + index + "/_stats",
                () -> read(send("GET", "/" + index + "/_stats/search,indexing", null)))
                .path("indices").path(index).path("total");
        return total.path("search").path("query_current").asLong() + total.path("search").path("fetch_current").asLong()
                + total.path("indexing").path("index_current").asLong()
                + total.path("indexing").path("delete_current").asLong();
    }

    /** The indices {@code alias} points to; empty when the alias does not exist. */
    public List<String> aliasTargets(String alias) throws IOException {
        return repeatable("GET /_alias/" + alias, () -> {
            try {
                List<String> targets = new ArrayList<>();
                read(send("GET", "/_alias/" + alias, null)).fieldNames().forEachRemaining(targets::add);
                return targets;
            } catch (ResponseException e) {
                if (status(e) == 404) {
                    return List.of();
                }
                throw e;
            }
        });
    }

    /** Whether a concrete index (not an alias) has this name. */
    public boolean isConcreteIndex(String name) throws IOException {
        return repeatable("GET /" + name + "/_settings", () -> {
            try {
                // Through an alias, the answer is keyed by the names of the indices it points to.
                return read(send("GET", "/" + name + "/_settings/index.creation_date", null)).has(name);
            } catch (ResponseException e) {
                if (status(e) == 404) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** Every index matching {@code wildcard}, with its creation time and the {@code _meta} of its mapping. */
    public List<IndexInfo> indices(String wildcard) throws IOException {
        JsonNode settings = repeatable("GET /" + wildcard + "/_settings",
                () -> read(send("GET", "/" + wildcard + "/_settings/index.creation_date", null)));
        JsonNode mappings = repeatable("GET /" + wildcard + "/_mapping",
                () -> read(send("GET", "/" + wildcard + "/_mapping", null)));
        List<IndexInfo> indices = new ArrayList<>();
        settings.fields().forEachRemaining(entry -> indices.add(new IndexInfo(entry.getKey(),
                entry.getValue().path("settings").path("index").path("creation_date").asLong(),
                mappings.path(entry.getKey()).path("mappings").path("_meta"))));
        return indices;
    }

    /**
     * Adds {@code writer}'s alias to its index and removes those of the slice's earlier claims, in one {@code _aliases}
     * call. Repeated after an unclear answer: the same call again leaves the same aliases.
     */
    public void openWriter(SliceWriter writer) throws IOException {
        ArrayNode actions = json.createArrayNode();
        actions.addObject().putObject("remove").put("index", writer.index()).put("alias",
                writer.everyClaimOfTheSlice());
        actions.addObject().putObject("add").put("index", writer.index()).put("alias", writer.alias());
        repeatable("POST /_aliases (" + writer.alias() + ")",
                () -> send("POST", "/_aliases", json.createObjectNode().set("actions", actions)));
    }

    /** Removes the writers of every slice of {@code index}: its run ended. */
    public void closeWriters(String index) throws IOException {
        removeAliases(index, allAliasesOf(index).stream().filter(alias -> SliceWriter.isWriterOf(index, alias)).toList());
    }

    /** Removes {@code writer}'s alias: its claim turned out to be lost before it wrote anything. */
    public void closeWriter(SliceWriter writer) throws IOException {
        removeAliases(writer.index(), List.of(writer.alias()));
    }

    /** Removes {@code aliases} from {@code index} in one call; one that is gone already is fine. */
    private void removeAliases(String index, List<String> aliases) throws IOException {
        if (aliases.isEmpty()) {
            return;
        }
        ArrayNode actions = json.createArrayNode();
        ObjectNode remove = actions.addObject().putObject("remove").put("index", index);
        aliases.forEach(remove.putArray("aliases")::add);
        repeatable("POST /_aliases (remove " + aliases + ")", () -> {
            try {
                return send("POST", "/_aliases", json.createObjectNode().set("actions", actions));
            } catch (ResponseException e) {
                if (status(e) == 404) {
                    return null;
                }
                throw e;
            }
        });
    }

    /**
     * Applies all {@code actions} of one {@code _aliases} request: the engine applies them atomically. Sent once:
     * after an unclear answer the caller reads the aliases back to learn what happened.
     *
     * @return whether every node applied the new aliases before the engine answered: a search any node starts after
     *         that resolves them anew
     */
    public boolean updateAliases(ArrayNode actions) throws IOException {
        return read(send("POST", "/_aliases", json.createObjectNode().set("actions", actions))).path("acknowledged")
                .asBoolean(false);
    }

    /**
     * The ids of the searches, reads and writes running on the engine's nodes at this moment: the tasks of every
     * {@code indices:data/*} action, each request's own and those it runs on shards.
     */
    public Set<String> dataOperations() throws IOException {
        return repeatable("GET /_tasks", () -> {
            Set<String> ids = new HashSet<>();
            for (JsonNode task : read(send("GET", "/_tasks?actions=indices:data/*&group_by=none", null))
                    .path("tasks")) {
                ids.add(task.path("node").asText() + ":" + task.path("id").asText());
            }
            return ids;
        });
    }

    /**
     * Deletes {@code index}, unless it carries an alias: searchers may be reading it. An index that is already gone is
     * fine.
     *
     * @throws IllegalStateException when the index carries an alias
     */
    public void deleteIndex(String index) throws IOException {
        List<String> aliases = aliasesOf(index);
        if (!aliases.isEmpty()) {
            throw new IllegalStateException("Refusing to delete index " + index + ": it carries the alias(es) " + aliases);
        }
        repeatable("DELETE /" + index, () -> {
            try {
                send("DELETE", "/" + index, null);
            } catch (ResponseException e) {
                if (status(e) != 404) {
                    throw e;
                }
            }
            return null;
        });
    }

    /**
     * The aliases {@code index} carries for searchers and writers other than this service's slices (see
     * {@link SliceWriter}); empty when it has none or does not exist.
     */
    public List<String> aliasesOf(String index) throws IOException {
        return allAliasesOf(index).stream().filter(alias -> !SliceWriter.isWriterOf(index, alias)).toList();
    }

    private List<String> allAliasesOf(String index) throws IOException {
        return repeatable("GET /" + index + "/_alias", () -> {
            try {
                List<String> aliases = new ArrayList<>();
                read(send("GET", "/" + index + "/_alias", null)).path(index).path("aliases").fieldNames()
                        .forEachRemaining(aliases::add);
                return aliases;
            } catch (ResponseException e) {
                if (status(e) == 404) {
                    return List.of();
                }
                throw e;
            }
        });
    }

    /** Whether {@code e} leaves open what the engine did: the connection failed, or it answered 429 or 5xx. */
    public static boolean isUnclear(IOException e) {
        if (e instanceof ResponseException response) {
            int status = status(response);
            return status == 429 || status >= 500;
        }
        return true;
    }

    public static int status(ResponseException e) {
        return e.getResponse().getStatusLine().getStatusCode();
    }

    private interface Call<T> {
        T run() throws IOException;
    }

    /** Runs a call that gives the same result however often it is repeated, repeating it after unclear answers. */
    private <T> T repeatable(String what, Call<T> call) throws IOException {
        Backoff backoff = Backoff.uncapped(config.bulk().initialBackoff());
        for (int attempt = 0;; attempt++) {
            try {
                return call.run();
            } catch (IOException e) {
                if (!isUnclear(e) || attempt == config.bulk().maxRetries()) {
                    throw e;
                }
                Duration wait = backoff.next();
                Log.warnf("%s: %s; trying again in %s", what, describe(e), wait);
                pause(wait);
            }
        }
    }

    private static String describe(IOException e) {
        return e instanceof ResponseException response ? "the engine answered " + status(response) : e.toString();
    }

    /** Waits {@code duration}; an interrupt ends the wait as an {@link InterruptedIOException}, the flag kept. */
    static void pause(Duration duration) throws InterruptedIOException {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting to call the engine again");
        }
    }

    private Response send(String method, String path, JsonNode body) throws IOException {
        return send(method, path, body, null);
    }

    /** @param options this request's own, or null for the client's */
    private Response send(String method, String path, JsonNode body, RequestOptions options) throws IOException {
        Request request = new Request(method, path);
        if (body != null) {
            request.setJsonEntity(toJson(body));
        }
        if (options != null) {
            request.setOptions(options);
        }
        return client.performRequest(request);
    }

    /**
     * Options for a request that the engine may take {@code wait} to answer: a socket timeout a little longer than
     * that, and never shorter than the client's own, so the client does not cut a wait it asked the engine for.
     */
    private RequestOptions waitingUpTo(Duration wait) {
        Duration timeout = wait.plus(SERVER_WAIT_MARGIN);
        if (timeout.compareTo(socketTimeout) < 0) {
            timeout = socketTimeout;
        }
        RequestConfig requestConfig = RequestConfig.custom().setConnectTimeout((int) connectionTimeout.toMillis())
                .setSocketTimeout((int) timeout.toMillis()).build();
        return RequestOptions.DEFAULT.toBuilder().setRequestConfig(requestConfig).build();
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
