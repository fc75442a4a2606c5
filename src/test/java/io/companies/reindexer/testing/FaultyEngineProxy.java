package io.companies.reindexer.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP proxy in front of the real search engine that makes the engine's answers unclear on demand: answers lost
 * after the engine did the work, requests lost before it saw them, injected errors, failed bulk items and a body size
 * limit. Each rule acts on the next {@code times} requests it matches, then is spent; the first unspent matching rule
 * wins, and requests no rule matches are forwarded untouched.
 *
 * <p>
 * A dropped answer or request is a connection closed with nothing written: Elasticsearch's low-level
 * RestClient throws a {@code ConnectionClosedException}. The JDK's HttpClient sends a GET or HEAD once more on its
 * own after that, so it sees a drop of those only when the rule applies to the repeat too.
 */
public final class FaultyEngineProxy implements AutoCloseable {

    private static final String JSON = "application/json";

    private final URI engine;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final List<Rule> rules = new ArrayList<>(); // guarded by this
    private final Queue<Received> received = new ConcurrentLinkedQueue<>();
    private final HttpServer server;
    private volatile int maxBodyBytes;

    private FaultyEngineProxy(URI engine) throws IOException {
        this.engine = engine;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A proxy on a free local port that forwards everything to {@code engine} until a rule says otherwise. */
    public static FaultyEngineProxy start(URI engine) throws IOException {
        return new FaultyEngineProxy(engine);
    }

    /** The local port clients connect to instead of the engine's. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code localhost:PORT}, the form {@code quarkus.elasticsearch.hosts} takes. */
    public String hostAndPort() {
        return "localhost:" + port();
    }

    /** The engine does the work, but the client sees its connection closed without an answer. */
    public Rule dropAnswer(String method, String pathRegex, int times) {
        return addRule(method, pathRegex, times, request -> {
            engineAnswer(request);
            throw new ConnectionDropped();
        });
    }

    /** The client sees its connection closed without an answer, and the engine never sees the request. */
    public Rule dropRequest(String method, String pathRegex, int times) {
        return addRule(method, pathRegex, times, request -> {
            throw new ConnectionDropped();
        });
    }

    /** The client gets {@code status} with {@code jsonBody}, and the engine never sees the request. */
    public Rule answer(String method, String pathRegex, int times, int status, String jsonBody) {
        byte[] body = jsonBody.getBytes(UTF_8);
        return addRule(method, pathRegex, times, request -> new Answer(status, JSON, body));
    }

    /**
     * A {@code POST _bulk} gets 200 with every item failed with {@code status} and {@code errorType} (as when a shard
     * is unavailable: 503, {@code unavailable_shards_exception}), and the engine never sees the request.
     */
    public Rule failBulkItems(String pathRegex, int times, int status, String errorType) {
        return addRule("POST", pathRegex, times,
                request -> new Answer(200, JSON, failedBulk(request.body(), status, errorType)));
    }

    /**
     * From now on, a request whose body is larger than {@code maxBytes} gets 413 instead of reaching the engine, like
     * the engine's {@code http.max_content_length}; {@code 0} or less removes the limit. It is checked where the
     * proxy would forward, so it applies under {@link #dropAnswer} too, not to requests other rules answer themselves.
     */
    public void limitBodyBytes(int maxBytes) {
        maxBodyBytes = maxBytes;
    }

    /** How many requests with this method and a path matching {@code pathRegex} came in so far, forwarded or not. */
    public int requests(String method, String pathRegex) {
        Pattern path = Pattern.compile(pathRegex);
        return (int) received.stream()
                .filter(request -> request.method().equals(method) && path.matcher(request.path()).matches())
                .count();
    }

    /** Clients get "connection refused" from now on; requests in flight see their connection closed. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        client.shutdownNow();
    }

    private synchronized Rule addRule(String method, String pathRegex, int times, Fault fault) {
        if (times < 1) {
            throw new IllegalArgumentException("A rule applies to at least one request, not " + times);
        }
        Rule rule = new Rule(method, Pattern.compile(pathRegex), times, fault);
        rules.add(rule);
        return rule;
    }

    private synchronized Rule claim(Request request) {
        for (Rule rule : rules) {
            if (rule.claim(request)) {
                return rule;
            }
        }
        return null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI(),
                exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestBody().readAllBytes());
        received.add(new Received(request.method(), request.path()));
        Rule rule = claim(request);
        Answer answer;
        try {
            answer = rule == null ? engineAnswer(request) : rule.fault.answer(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Closed while forwarding " + request.method() + " " + request.path());
        }
        if (answer.contentType() != null) {
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
        }
        boolean bodyless = answer.body().length == 0 || request.method().equals("HEAD");
        exchange.sendResponseHeaders(answer.status(), bodyless ? -1 : answer.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!bodyless) {
                out.write(answer.body());
            }
        }
    }

    private Answer engineAnswer(Request request) throws IOException, InterruptedException {
        int limit = maxBodyBytes;
        if (limit > 0 && request.body().length > limit) {
            String error = """
                    {"error":{"type":"content_too_long","reason":"request body of %d bytes is larger than \
                    the limit of %d bytes (injected by the test proxy)"},"status":413}"""
                    .formatted(request.body().length, limit);
            return new Answer(413, JSON, error.getBytes(UTF_8));
        }
        HttpRequest.Builder forward = HttpRequest.newBuilder(engine.resolve(request.uri()))
                .method(request.method(), request.body().length == 0 ? BodyPublishers.noBody()
                        : BodyPublishers.ofByteArray(request.body()));
        if (request.contentType() != null) {
            forward.header("Content-Type", request.contentType());
        }
        HttpResponse<byte[]> response = client.send(forward.build(), BodyHandlers.ofByteArray());
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                response.body());
    }

    private byte[] failedBulk(byte[] ndjson, int status, String errorType) throws IOException {
        ArrayNode items = json.createArrayNode();
        Iterator<String> lines = new String(ndjson, UTF_8).lines().filter(line -> !line.isBlank()).iterator();
        while (lines.hasNext()) {
            JsonNode actionLine = json.readTree(lines.next());
            String action = actionLine.fieldNames().next();
            ObjectNode item = items.addObject().putObject(action);
            item.put("_id", actionLine.get(action).path("_id").asText(null));
            item.put("status", status);
            item.putObject("error").put("type", errorType).put("reason", "injected by the test proxy");
            if (!action.equals("delete")) {
                lines.next(); // the source (or partial document) of an index, create or update
            }
        }
        ObjectNode answer = json.createObjectNode().put("took", 1).put("errors", true);
        answer.set("items", items);
        return json.writeValueAsBytes(answer);
    }

    /** What a rule does with the requests it matches. */
    public static final class Rule {

        private final String method;
        private final Pattern path;
        private final int times;
        private final Fault fault;
        private final AtomicInteger applied = new AtomicInteger();

        private Rule(String method, Pattern path, int times, Fault fault) {
            this.method = method;
            this.path = path;
            this.times = times;
            this.fault = fault;
        }

        /** How many requests this rule has acted on so far (at most its {@code times}). */
        public int applied() {
            return applied.get();
        }

        // Called only under the proxy's lock, so two requests cannot both take a rule's last use.
        private boolean claim(Request request) {
            if (applied.get() >= times || !method.equals(request.method())
                    || !path.matcher(request.path()).matches()) {
                return false;
            }
            applied.incrementAndGet();
            return true;
        }
    }

    private interface Fault {
        Answer answer(Request request) throws IOException, InterruptedException;
    }

    private record Request(String method, URI uri, String contentType, byte[] body) {
        String path() {
            return uri.getPath();
        }
    }

    private record Received(String method, String path) {
    }

    private record Answer(int status, String contentType, byte[] body) {
    }

    /** Makes HttpServer close the client's connection without writing an answer. */
    private static final class ConnectionDropped extends RuntimeException {
        ConnectionDropped() {
            super("connection dropped by the test proxy", null, false, false);
        }
    }
}
