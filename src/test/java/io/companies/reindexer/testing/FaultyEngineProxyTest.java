package io.companies.reindexer.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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

/** Proves each rule of {@link FaultyEngineProxy} against the real engine on localhost:9200, through a RestClient. */
class FaultyEngineProxyTest {

    private static final URI ENGINE = URI.create("http://localhost:9200");
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
