package io.companies.reindexer.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.http.HttpHost;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Proves each rule of {@link FaultyEngineProxy} against the real engine ({@code quarkus.elasticsearch.hosts}, as the
 * test command passes it; localhost:9200 by default), through a RestClient.
 */
class FaultyEngineProxyTest {

    private static final URI ENGINE = URI
            .create("http://" + System.getProperty("quarkus.elasticsearch.hosts", "localhost:9200"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RestClient engine; // null when no engine answers
    private static String engineProblem;
    private FaultyEngineProxy proxy;
    private RestClient proxied;
    private final List<String> indices = new ArrayList<>();

    @BeforeAll
    static void connectToEngine() {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpRequest root = HttpRequest.newBuilder(ENGINE).timeout(Duration.ofSeconds(5)).build();
            client.send(root, BodyHandlers.discarding());
            engine = RestClient.builder(HttpHost.create(ENGINE.toString())).build();
        } catch (IOException | InterruptedException e) {
            engineProblem = e.toString();
        }
    }

    @AfterAll
    static void closeEngine() throws IOException {
        if (engine != null) {
            engine.close();
        }
    }

    @BeforeEach
    void startProxy() throws IOException {
        // Checked per test rather than in connectToEngine, so that Surefire reports each test as skipped.
        Assumptions.assumeTrue(engine != null, () -> "No search engine answers on " + ENGINE + ": " + engineProblem);
        proxy = FaultyEngineProxy.start(ENGINE);
        // Far above what any check here waits, so a client that hangs is told apart from one that is answered.
        proxied = RestClient.builder(HttpHost.create("http://" + proxy.hostAndPort()))
                .setRequestConfigCallback(config -> config.setSocketTimeout(60_000)).build();
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (proxy == null) {
            return;
        }
        proxied.close();
        proxy.close();
        for (String index : indices) {
            if (exists(index)) {
                engine.performRequest(new Request("DELETE", "/" + index));
            }
        }
    }

    @Test
    void forwardsWhatNoRuleMatches() throws IOException {
        String index = newIndexName();
        proxied.performRequest(new Request("PUT", "/" + index));
        Request doc = new Request("PUT", "/" + index + "/_doc/1");
        doc.addParameter("refresh", "true");
        doc.setJsonEntity("{\"name\":\"Acme\"}");
        assertThat(status(proxied.performRequest(doc))).isEqualTo(201);

        Request search = new Request("POST", "/" + index + "/_search");
        search.setJsonEntity("{\"query\":{\"match\":{\"name\":\"acme\"}}}");
        JsonNode hits = body(proxied.performRequest(search)).path("hits").path("hits");

        assertThat(hits).hasSize(1);
        assertThat(hits.get(0).path("_id").asText()).isEqualTo("1");
        assertThat(status(proxied.performRequest(new Request("HEAD", "/" + index)))).isEqualTo(200);
        assertThat(proxy.requests("PUT", "/proxy-test-.*")).isEqualTo(2);
        assertThat(proxy.requests("POST", "/proxy-test-.*/_search")).isEqualTo(1);
    }

    @Test
    void dropAnswerLosesTheAnswerOfWorkTheEngineDid() throws IOException {
        String index = newIndexName();
        FaultyEngineProxy.Rule rule = proxy.dropAnswer("PUT", "/proxy-test-.*", 1);

        long start = System.nanoTime();
        IOException failure = catchThrowableOfType(IOException.class,
                () -> proxied.performRequest(new Request("PUT", "/" + index)));

        assertThat(failure).isNotNull().isNotInstanceOf(ResponseException.class)
                .isNotInstanceOf(SocketTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(exists(index)).isTrue();
        assertThat(rule.applied()).isEqualTo(1);
        assertThat(proxy.requests("PUT", "/proxy-test-.*")).as("the client did not send it again").isEqualTo(1);
    }

    @Test
    void dropAnswerIsAClosedConnectionForTheJdkClientToo() throws Exception {
        String index = newIndexName();
        proxy.dropAnswer("PUT", "/proxy-test-.*", 1);

        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpRequest put = HttpRequest.newBuilder(URI.create("http://" + proxy.hostAndPort() + "/" + index))
                    .PUT(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build();
            assertThatThrownBy(() -> client.send(put, BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class).isNotInstanceOf(HttpTimeoutException.class);
        }
        assertThat(exists(index)).isTrue();
    }

    @Test
    void dropRequestNeverReachesTheEngine() throws IOException {
        String index = newIndexName();
        FaultyEngineProxy.Rule rule = proxy.dropRequest("PUT", "/proxy-test-.*", 1);

        assertThatThrownBy(() -> proxied.performRequest(new Request("PUT", "/" + index)))
                .isInstanceOf(IOException.class).isNotInstanceOf(ResponseException.class)
                .isNotInstanceOf(SocketTimeoutException.class);
        assertThat(exists(index)).isFalse();
        assertThat(rule.applied()).isEqualTo(1);
    }

    @Test
    void answerRepliesInsteadOfTheEngine() throws IOException {
        String index = newIndexName();
        proxy.answer("PUT", "/proxy-test-.*", 1, 502, "{\"error\":\"bad gateway\"}");

        ResponseException failure = catchThrowableOfType(ResponseException.class,
                () -> proxied.performRequest(new Request("PUT", "/" + index)));

        assertThat(status(failure.getResponse())).isEqualTo(502);
        assertThat(body(failure.getResponse()).path("error").asText()).isEqualTo("bad gateway");
        assertThat(exists(index)).isFalse();
    }

    @Test
    void failBulkItemsFailsEveryActionWithItsId() throws IOException {
        String index = newIndexName();
        engine.performRequest(new Request("PUT", "/" + index));
        FaultyEngineProxy.Rule rule = proxy.failBulkItems("/proxy-test-.*/_bulk", 1, 503,
                "unavailable_shards_exception");

        Request bulk = new Request("POST", "/" + index + "/_bulk");
        bulk.setJsonEntity("""
                {"index":{"_id":"a"}}
                {"name":"A"}
                {"create":{"_id":"b"}}
                {"name":"B"}
                {"update":{"_id":"c"}}
                {"doc":{"name":"C"}}
                {"delete":{"_id":"d"}}
                """);
        JsonNode answer = body(proxied.performRequest(bulk));

        assertThat(answer.path("errors").asBoolean()).isTrue();
        List<String> items = new ArrayList<>();
        answer.path("items").forEach(item -> item.properties().forEach(action -> {
            assertThat(action.getValue().path("status").asInt()).isEqualTo(503);
            assertThat(action.getValue().path("error").path("type").asText()).isEqualTo("unavailable_shards_exception");
            items.add(action.getKey() + " " + action.getValue().path("_id").asText());
        }));
        assertThat(items).containsExactly("index a", "create b", "update c", "delete d");
        engine.performRequest(new Request("POST", "/" + index + "/_refresh"));
        assertThat(body(engine.performRequest(new Request("GET", "/" + index + "/_count"))).path("count").asInt())
                .isZero();
        assertThat(rule.applied()).isEqualTo(1);
    }

    @Test
    void holdIfBodyContainsKeepsOnlyTheRequestsCarryingThatText() throws Exception {
        String index = newIndexName();
        proxied.performRequest(new Request("PUT", "/" + index));
        FaultyEngineProxy.Hold hold = proxy.holdIfBodyContains("POST", "/proxy-test-.*/_bulk", "\"_id\":\"7\"", 1);
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<Response> held = clients.submit(() -> proxied.performRequest(bulkCreate(index, "7")));
            hold.awaitHeld(1, Duration.ofSeconds(10));
            assertThat(status(proxied.performRequest(bulkCreate(index, "8")))).as("another body passes").isEqualTo(200);
            assertThat(held).isNotDone();
            assertThat(exists(index + "/_doc/7")).isFalse();

            hold.release();
            assertThat(status(held.get(10, TimeUnit.SECONDS))).isEqualTo(200);
            assertThat(exists(index + "/_doc/7")).isTrue();
            assertThat(hold.applied()).isEqualTo(1);
        } finally {
            clients.shutdownNow();
        }
    }

    private static Request bulkCreate(String index, String id) {
        Request bulk = new Request("POST", "/" + index + "/_bulk");
        bulk.setJsonEntity("{\"create\":{\"_id\":\"" + id + "\"}}\n{\"name\":\"Acme\"}\n");
        return bulk;
    }

    @Test
    void holdKeepsRequestsUntilReleasedAndDropsThemWhenClosed() throws Exception {
        String first = newIndexName();
        String second = newIndexName();
        String dropped = newIndexName();
        FaultyEngineProxy.Hold hold = proxy.hold("PUT", "/proxy-test-.*", 2);
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<Response> firstPut = clients.submit(() -> proxied.performRequest(new Request("PUT", "/" + first)));
            Future<Response> secondPut = clients.submit(() -> proxied.performRequest(new Request("PUT", "/" + second)));
            hold.awaitHeld(2, Duration.ofSeconds(10));

            assertThat(hold.held()).isEqualTo(2);
            assertThat(firstPut).isNotDone();
            assertThat(exists(first)).isFalse();
            assertThat(exists(second)).isFalse();
            hold.release();
            assertThat(status(firstPut.get(10, TimeUnit.SECONDS))).isEqualTo(200);
            assertThat(status(secondPut.get(10, TimeUnit.SECONDS))).isEqualTo(200);
            assertThat(exists(first)).isTrue();
            assertThat(hold.held()).isZero();
            assertThat(hold.applied()).isEqualTo(2);
            assertThatThrownBy(() -> hold.awaitHeld(3, Duration.ofMillis(100))).isInstanceOf(TimeoutException.class);

            FaultyEngineProxy.Hold closing = proxy.hold("PUT", "/proxy-test-.*", 1);
            Future<Response> lost = clients.submit(() -> proxied.performRequest(new Request("PUT", "/" + dropped)));
            closing.awaitHeld(1, Duration.ofSeconds(10));
            proxy.close();

            Throwable failure = catchThrowable(() -> lost.get(10, TimeUnit.SECONDS));
            assertThat(failure).isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class)
                    .isNotInstanceOf(ResponseException.class).isNotInstanceOf(SocketTimeoutException.class);
            assertThat(exists(dropped)).isFalse();
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void delayForwardsTheRequestLater() throws Exception {
        String index = newIndexName();
        FaultyEngineProxy.Rule rule = proxy.delay("PUT", "/proxy-test-.*", 1, Duration.ofSeconds(1));
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        try {
            long start = System.nanoTime();
            Future<Response> put = clients.submit(() -> proxied.performRequest(new Request("PUT", "/" + index)));
            Thread.sleep(300);

            assertThat(exists(index)).as("the engine has not seen it yet").isFalse();
            assertThat(status(put.get(10, TimeUnit.SECONDS))).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(exists(index)).isTrue();
            assertThat(rule.applied()).isEqualTo(1);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void rejectBulkItemsForRejectsHalfTheItemsForAPeriod() throws Exception {
        String index = newIndexName();
        engine.performRequest(new Request("PUT", "/" + index));
        Duration period = Duration.ofSeconds(3);
        long start = System.nanoTime();
        FaultyEngineProxy.Rule rule = proxy.rejectBulkItemsFor("/proxy-test-.*/_bulk", period, 429);

        Request filtered = new Request("POST", "/" + index + "/_bulk");
        filtered.addParameter("filter_path", "items.*._id,items.*.status,items.*.error");
        filtered.setJsonEntity("""
                {"index":{"_id":"a"}}
                {"name":"A"}
                {"create":{"_id":"b"}}
                {"name":"B"}
                {"update":{"_id":"c"}}
                {"doc":{"name":"C"},"doc_as_upsert":true}
                {"update":{"_id":"d"}}
                {"doc":{"name":"D"},"doc_as_upsert":true}
                {"delete":{"_id":"e"}}
                """);
        JsonNode answer = body(proxied.performRequest(filtered));

        assertThat(answer.path("errors").asBoolean()).isTrue();
        List<String> items = new ArrayList<>();
        answer.path("items").forEach(item -> item.properties().forEach(action -> items.add((action.getKey() + " "
                + action.getValue().path("_id").asText() + " " + action.getValue().path("status").asInt() + " "
                + action.getValue().path("error").path("type").asText()).strip())));
        assertThat(items).containsExactly("index a 429 rejected_execution_exception", "create b 201",
                "update c 429 rejected_execution_exception", "update d 201", "delete e 429 rejected_execution_exception");
        assertThat(answer.has("took")).as("filtered out by the engine").isFalse();

        Request unfiltered = new Request("POST", "/" + index + "/_bulk");
        unfiltered.setJsonEntity("""
                {"index":{"_id":"f"}}
                {"name":"F"}
                {"index":{"_id":"g"}}
                {"name":"G"}
                """);
        answer = body(proxied.performRequest(unfiltered));
        assertThat(answer.has("took")).isTrue();
        assertThat(answer.path("errors").asBoolean()).isTrue();
        assertThat(answer.path("items").get(0).path("index").path("status").asInt()).isEqualTo(429);
        assertThat(answer.path("items").get(1).path("index").path("result").asText()).isEqualTo("created");

        Request single = new Request("POST", "/" + index + "/_bulk");
        single.setJsonEntity("""
                {"index":{"_id":"h"}}
                {"name":"H"}
                """);
        answer = body(proxied.performRequest(single));
        assertThat(answer.path("errors").asBoolean()).as("a single item is refused whole").isTrue();
        assertThat(answer.path("items").get(0).path("index").path("status").asInt()).isEqualTo(429);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("all within the period").isLessThan(period);

        Thread.sleep(Duration.ofNanos(period.toNanos() - (System.nanoTime() - start)).plusMillis(100));
        answer = body(proxied.performRequest(unfiltered));
        assertThat(answer.path("errors").asBoolean()).as("after the period: %s", answer).isFalse();
        assertThat(answer.path("items").get(0).path("index").path("result").asText()).isEqualTo("created");

        for (String id : List.of("b", "d", "f", "g")) {
            assertThat(exists(index + "/_doc/" + id)).as(id).isTrue();
        }
        for (String id : List.of("a", "c", "h")) {
            assertThat(exists(index + "/_doc/" + id)).as(id).isFalse();
        }
        assertThat(rule.applied()).isEqualTo(3);
    }

    @Test
    void failMgetItemsFailsEverySecondDocAsAnUnavailableShard() throws IOException {
        String index = newIndexName();
        engine.performRequest(new Request("PUT", "/" + index));
        Request bulk = new Request("POST", "/" + index + "/_bulk");
        bulk.addParameter("refresh", "true");
        bulk.setJsonEntity("""
                {"index":{"_id":"a"}}
                {"name":"A"}
                {"index":{"_id":"b"}}
                {"name":"B"}
                {"index":{"_id":"c"}}
                {"name":"C"}
                """);
        engine.performRequest(bulk);
        FaultyEngineProxy.Rule rule = proxy.failMgetItems("/proxy-test-.*/_mget", 2,
                "no_shard_available_action_exception");

        for (String method : List.of("POST", "GET")) {
            Request mget = new Request(method, "/" + index + "/_mget");
            mget.setJsonEntity("{\"ids\":[\"a\",\"b\",\"c\",\"missing\"]}");
            JsonNode docs = body(proxied.performRequest(mget)).path("docs");

            assertThat(docs).as(method).hasSize(4);
            assertThat(docs.get(0).path("_source").path("name").asText()).isEqualTo("A");
            assertThat(docs.get(2).path("_source").path("name").asText()).isEqualTo("C");
            for (int i : new int[] { 1, 3 }) {
                JsonNode failed = docs.get(i);
                assertThat(failed.path("_index").asText()).isEqualTo(index);
                assertThat(failed.path("_id").asText()).isEqualTo(i == 1 ? "b" : "missing");
                assertThat(failed.has("found")).isFalse();
                assertThat(failed.has("_source")).isFalse();
                assertThat(failed.path("error").path("type").asText()).isEqualTo("no_shard_available_action_exception");
                assertThat(failed.path("error").path("reason").asText()).isNotEmpty();
                assertThat(failed.path("error").path("root_cause").get(0).path("type").asText())
                        .isEqualTo("no_shard_available_action_exception");
            }
        }
        Request mget = new Request("POST", "/" + index + "/_mget");
        mget.setJsonEntity("{\"ids\":[\"a\",\"b\"]}");
        assertThat(body(proxied.performRequest(mget)).path("docs").get(1).path("found").asBoolean()).isTrue();
        assertThat(rule.applied()).isEqualTo(2);
    }

    @Test
    void limitBodyBytesRejectsLargerBodiesWith413() throws IOException {
        String index = newIndexName();
        engine.performRequest(new Request("PUT", "/" + index));
        proxy.limitBodyBytes(100);
        Request large = new Request("PUT", "/" + index + "/_doc/large");
        large.setJsonEntity("{\"name\":\"" + "x".repeat(200) + "\"}");
        Request small = new Request("PUT", "/" + index + "/_doc/small");
        small.setJsonEntity("{\"name\":\"x\"}");

        ResponseException failure = catchThrowableOfType(ResponseException.class, () -> proxied.performRequest(large));

        assertThat(status(failure.getResponse())).isEqualTo(413);
        assertThat(body(failure.getResponse()).path("status").asInt()).isEqualTo(413);
        assertThat(status(proxied.performRequest(small))).isEqualTo(201);
        assertThat(exists(index + "/_doc/large")).isFalse();

        proxy.limitBodyBytes(0);
        assertThat(status(proxied.performRequest(large))).isEqualTo(201);
    }

    @Test
    void rulesAreSpentAfterTimesAndTheFirstUnspentOneWins() throws IOException {
        String index = newIndexName();
        engine.performRequest(new Request("PUT", "/" + index));
        String count = "/" + index + "/_count";
        FaultyEngineProxy.Rule dropped = proxy.dropRequest("GET", "/proxy-test-.*/_count", 1);
        FaultyEngineProxy.Rule refused = proxy.answer("GET", "/proxy-test-.*/_count", 2, 502, "{}");

        assertThatThrownBy(() -> proxied.performRequest(new Request("GET", count)))
                .isInstanceOf(IOException.class).isNotInstanceOf(ResponseException.class);
        for (int i = 0; i < 2; i++) {
            assertThat(status(catchThrowableOfType(ResponseException.class,
                    () -> proxied.performRequest(new Request("GET", count))).getResponse())).isEqualTo(502);
        }
        assertThat(status(proxied.performRequest(new Request("GET", count)))).isEqualTo(200);

        assertThat(dropped.applied()).isEqualTo(1);
        assertThat(refused.applied()).isEqualTo(2);
        assertThat(proxy.requests("GET", "/proxy-test-.*/_count")).isEqualTo(4);
        assertThat(proxy.requests("GET", "/other")).isZero();
    }

    private String newIndexName() {
        String index = "proxy-test-" + UUID.randomUUID().toString().replace("-", "");
        indices.add(index);
        return index;
    }

    /** Whether the engine itself has {@code path}: an index, or {@code index/_doc/id}. */
    private static boolean exists(String path) throws IOException {
        try {
            return status(engine.performRequest(new Request("GET", "/" + path))) == 200;
        } catch (ResponseException e) {
            if (status(e.getResponse()) == 404) {
                return false;
            }
            throw e;
        }
    }

    private static int status(Response response) {
        return response.getStatusLine().getStatusCode();
    }

    private static JsonNode body(Response response) throws IOException {
        try (InputStream in = response.getEntity().getContent()) {
            return JSON.readTree(new String(in.readAllBytes(), UTF_8));
        }
    }
}
