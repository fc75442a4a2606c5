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
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * after the engine did the work, requests lost before it saw them, requests held or delayed, injected errors, failed
 * or rejected bulk items, failed multi-get docs and a body size limit. Each rule acts on the next {@code times}
 * requests it matches, then is spent ({@link #rejectBulkItemsFor} on any number of them for a period instead); the
 * first unspent matching rule wins, and requests no rule matches are forwarded untouched.
 *
 * <p>
 * A dropped answer or request is a connection closed with nothing written: Elasticsearch's low-level
 * RestClient throws a {@code ConnectionClosedException}. The JDK's HttpClient sends a GET or HEAD once more on its
 * own after that, so it sees a drop of those only when the rule applies to the repeat too.
 */
public final class FaultyEngineProxy implements AutoCloseable {

    private static final String JSON = "application/json";
    private static final String INJECTED = "injected by the test proxy";

    private final URI engine;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private static final int KEPT_BODY_BYTES = 64 * 1024;

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
        return addRule(method, pathRegex, null, times, this::forwardThenDrop);
    }

    /** {@link #dropAnswer}, only for requests whose body holds {@code text} (as UTF-8). */
    public Rule dropAnswerIfBodyContains(String method, String pathRegex, String text, int times) {
        return addRule(method, pathRegex, text, times, this::forwardThenDrop);
    }

    /** The client sees its connection closed without an answer, and the engine never sees the request. */
    public Rule dropRequest(String method, String pathRegex, int times) {
        return addRule(method, pathRegex, null, times, FaultyEngineProxy::drop);
    }

    /** {@link #dropRequest}, only for requests whose body holds {@code text} (as UTF-8). */
    public Rule dropRequestIfBodyContains(String method, String pathRegex, String text, int times) {
        return addRule(method, pathRegex, text, times, FaultyEngineProxy::drop);
    }

    /** The client gets {@code status} with {@code jsonBody}, and the engine never sees the request. */
    public Rule answer(String method, String pathRegex, int times, int status, String jsonBody) {
        byte[] body = jsonBody.getBytes(UTF_8);
        return addRule(method, pathRegex, null, times, request -> new Answer(status, JSON, body));
    }

    /**
     * A {@code POST _bulk} gets 200 with every item failed with {@code status} and {@code errorType} (as when a shard
     * is unavailable: 503, {@code unavailable_shards_exception}), and the engine never sees the request.
     */
    public Rule failBulkItems(String pathRegex, int times, int status, String errorType) {
        return addRule("POST", pathRegex, null, times,
                request -> new Answer(200, JSON, failedBulk(request.body(), status, errorType)));
    }

    /**
     * The client waits without an answer until the test calls {@link Hold#release()}, then the request is forwarded
     * to the engine as usual; requests still held when the proxy is closed are dropped, and the engine never sees them.
     */
    public Hold hold(String method, String pathRegex, int times) {
        return add(new Hold(method, Pattern.compile(pathRegex), null, times, this::engineAnswer));
    }

    /**
     * {@link #hold}, only for requests whose body holds {@code text} (as UTF-8), e.g. one bulk action: a test picks
     * the one request that carries the write it races with.
     */
    public Hold holdIfBodyContains(String method, String pathRegex, String text, int times) {
        return add(new Hold(method, Pattern.compile(pathRegex), text, times, this::engineAnswer));
    }

    /** The engine answers as usual, but sees the request only {@code delay} after the client sent it. */
    public Rule delay(String method, String pathRegex, int times, Duration delay) {
        return addRule(method, pathRegex, null, times, request -> {
            Thread.sleep(delay);
            return engineAnswer(request);
        });
    }

    /**
     * For {@code period} from now, every {@code POST _bulk} gets 200 with its 1st, 3rd, ... item failed with
     * {@code status} and the engine's {@code rejected_execution_exception} (as under load: 429), and the engine never
     * sees those items; the others are sent to it in one bulk request (with the same query string) and get its answer.
     * A bulk of one item is refused whole, so items sent again keep being refused until the period ends. After
     * {@code period} the rule claims no request.
     */
    public Rule rejectBulkItemsFor(String pathRegex, Duration period, int status) {
        return add(new Rule(Set.of("POST"), Pattern.compile(pathRegex), null, Integer.MAX_VALUE, period,
                request -> rejectHalfTheItems(request, status)));
    }

    /**
     * A {@code GET} or {@code POST _mget} is answered by the engine, but the client sees the 2nd, 4th, ... doc of it
     * failed with {@code errorType}, as the engine writes a doc whose shard is unavailable (e.g.
     * {@code no_shard_available_action_exception}).
     */
    public Rule failMgetItems(String pathRegex, int times, String errorType) {
        return add(new Rule(Set.of("GET", "POST"), Pattern.compile(pathRegex), null, times, null,
                request -> failEverySecondDoc(engineAnswer(request), errorType)));
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
        return requests(method, pathRegex, "");
    }

    /**
     * {@link #requests(String, String)}, counting only those whose body holds {@code text} (as UTF-8); bodies over
     * 64 KB are not kept, and count as not holding it.
     */
    public int requests(String method, String pathRegex, String text) {
        Pattern path = Pattern.compile(pathRegex);
        return (int) received.stream()
                .filter(request -> request.method().equals(method) && path.matcher(request.path()).matches()
                        && (text.isEmpty() || new String(request.body(), UTF_8).contains(text)))
                .count();
    }

    /** Clients get "connection refused" from now on; requests in flight see their connection closed. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        client.shutdownNow();
    }

    private Rule addRule(String method, String pathRegex, String bodyContains, int times, Fault fault) {
        return add(new Rule(Set.of(method), Pattern.compile(pathRegex), bodyContains, times, null, fault));
    }

    private Answer forwardThenDrop(Request request) throws IOException, InterruptedException {
        engineAnswer(request);
        throw new ConnectionDropped();
    }

    private static Answer drop(Request request) {
        throw new ConnectionDropped();
    }

    private synchronized <R extends Rule> R add(R rule) {
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
        // Bodies kept only while small (admin calls, not bulk bodies of megabytes), for requests(method, path, text).
        received.add(new Received(request.method(), request.path(),
                request.body() != null && request.body().length <= KEPT_BODY_BYTES ? request.body() : new byte[0]));
        Rule rule = claim(request);
        Answer answer;
        try {
            answer = rule == null ? engineAnswer(request) : rule.apply(request);
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
        for (BulkItem item : bulkItems(ndjson)) {
            items.add(failedItem(item, status, errorType));
        }
        ObjectNode answer = json.createObjectNode().put("took", 1).put("errors", true);
        answer.set("items", items);
        return json.writeValueAsBytes(answer);
    }

    private Answer rejectHalfTheItems(Request request, int status) throws IOException, InterruptedException {
        List<BulkItem> items = bulkItems(request.body());
        ObjectNode answer = json.createObjectNode().put("took", 1);
        String contentType = JSON;
        JsonNode engineItems = json.createArrayNode();
        int forwardedItems = items.size() / 2;
        if (forwardedItems > 0) {
            StringBuilder forwarded = new StringBuilder();
            for (int i = 1; i < items.size(); i += 2) {
                items.get(i).lines().forEach(line -> forwarded.append(line).append('\n'));
            }
            Answer forwardedAnswer = engineAnswer(new Request(request.method(), request.uri(), request.contentType(),
                    forwarded.toString().getBytes(UTF_8)));
            if (forwardedAnswer.status() != 200) {
                return forwardedAnswer;
            }
            answer = (ObjectNode) json.readTree(forwardedAnswer.body());
            contentType = forwardedAnswer.contentType();
            engineItems = answer.path("items");
            if (engineItems.size() != forwardedItems) {
                String error = """
                        {"error":{"type":"test_proxy_exception","reason":"the engine answered %d bulk items for the \
                        %d it was sent: the test proxy cannot merge them with the ones it rejected"},"status":502}"""
                        .formatted(engineItems.size(), forwardedItems);
                return new Answer(502, JSON, error.getBytes(UTF_8));
            }
        }
        ArrayNode merged = json.createArrayNode();
        for (int i = 0; i < items.size(); i++) {
            merged.add(i % 2 == 1 ? engineItems.get(i / 2)
                    : failedItem(items.get(i), status, "rejected_execution_exception"));
        }
        answer.put("errors", true);
        answer.remove("items");
        answer.set("items", merged);
        return new Answer(200, contentType, json.writeValueAsBytes(answer));
    }

    private List<BulkItem> bulkItems(byte[] ndjson) throws IOException {
        List<BulkItem> items = new ArrayList<>();
        Iterator<String> lines = new String(ndjson, UTF_8).lines().filter(line -> !line.isBlank()).iterator();
        while (lines.hasNext()) {
            String actionLine = lines.next();
            JsonNode parsed = json.readTree(actionLine);
            String action = parsed.fieldNames().next();
            // An index, create or update has its source (or partial document) on the next line, a delete has not.
            List<String> itemLines = action.equals("delete") ? List.of(actionLine) : List.of(actionLine, lines.next());
            items.add(new BulkItem(action, parsed.get(action).path("_id").asText(null), itemLines));
        }
        return items;
    }

    private ObjectNode failedItem(BulkItem item, int status, String errorType) {
        ObjectNode failed = json.createObjectNode();
        ObjectNode result = failed.putObject(item.action());
        result.put("_id", item.id());
        result.put("status", status);
        result.putObject("error").put("type", errorType).put("reason", INJECTED);
        return failed;
    }

    private Answer failEverySecondDoc(Answer answer, String errorType) throws IOException {
        if (answer.status() != 200) {
            return answer;
        }
        JsonNode body = json.readTree(answer.body());
        if (!(body.path("docs") instanceof ArrayNode docs)) {
            return answer;
        }
        for (int i = 1; i < docs.size(); i += 2) {
            JsonNode doc = docs.get(i);
            // What the engine writes for a doc it could not read: its index and id, and the error with its cause.
            ObjectNode cause = json.createObjectNode().put("type", errorType).put("reason", INJECTED);
            ObjectNode failed = json.createObjectNode();
            if (doc.has("_index")) {
                failed.set("_index", doc.get("_index"));
                cause.set("index", doc.get("_index"));
            }
            if (doc.has("_id")) {
                failed.set("_id", doc.get("_id"));
            }
            ObjectNode error = failed.putObject("error");
            error.putArray("root_cause").add(cause);
            error.setAll(cause);
            docs.set(i, failed);
        }
        return new Answer(200, answer.contentType(), json.writeValueAsBytes(body));
    }

    /** What a rule does with the requests it matches. */
    public static sealed class Rule permits Hold {

        private final Set<String> methods;
        private final Pattern path;
        private final String bodyContains; // null for any body
        private final int times;
        private final long start = System.nanoTime();
        private final long periodNanos; // Long.MAX_VALUE for a rule spent by count only
        private final Fault fault;
        private final AtomicInteger applied = new AtomicInteger();

        private Rule(Set<String> methods, Pattern path, String bodyContains, int times, Duration period,
                Fault fault) {
            if (times < 1) {
                throw new IllegalArgumentException("A rule applies to at least one request, not " + times);
            }
            this.methods = methods;
            this.path = path;
            this.bodyContains = bodyContains;
            this.times = times;
            this.periodNanos = period == null ? Long.MAX_VALUE : period.toNanos();
            this.fault = fault;
        }

        /** How many requests this rule has acted on so far (at most its {@code times}). */
        public int applied() {
            return applied.get();
        }

        Answer apply(Request request) throws IOException, InterruptedException {
            return fault.answer(request);
        }

        // Called only under the proxy's lock, so two requests cannot both take a rule's last use.
        private boolean claim(Request request) {
            if (applied.get() >= times || System.nanoTime() - start >= periodNanos
                    || !methods.contains(request.method()) || !path.matcher(request.path()).matches()
                    || bodyContains != null && !new String(request.body(), UTF_8).contains(bodyContains)) {
                return false;
            }
            applied.incrementAndGet();
            return true;
        }
    }

    /** A rule that keeps the requests it matches waiting in the proxy until {@link #release()}. */
    public static final class Hold extends Rule {

        private final CountDownLatch released = new CountDownLatch(1);
        private int arrived; // guarded by this
        private int waiting; // guarded by this

        private Hold(String method, Pattern path, String bodyContains, int times, Fault forward) {
            super(Set.of(method), path, bodyContains, times, null, forward);
        }

        /** Forwards the requests held now to the engine, and those this rule still claims at once. */
        public void release() {
            released.countDown();
        }

        /** How many requests are waiting for {@link #release()} now. */
        public synchronized int held() {
            return waiting;
        }

        /** Waits until at least {@code n} requests came to this hold, released since or not. */
        public synchronized void awaitHeld(int n, Duration timeout) throws InterruptedException, TimeoutException {
            long end = System.nanoTime() + timeout.toNanos();
            while (arrived < n) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException(arrived + " of " + n + " requests held after " + timeout);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        @Override
        Answer apply(Request request) throws IOException, InterruptedException {
            synchronized (this) {
                arrived++;
                waiting++;
                notifyAll();
            }
            try {
                released.await(); // interrupted when the proxy is closed
            } finally {
                synchronized (this) {
                    waiting--;
                }
            }
            return super.apply(request);
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

    private record Received(String method, String path, byte[] body) {
    }

    /** One action of a bulk body: its action line, then the source line an index, create or update has. */
    private record BulkItem(String action, String id, List<String> lines) {
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
