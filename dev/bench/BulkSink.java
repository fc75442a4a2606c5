/*
 * The benchmark's bulk sink: a stand-in for the search engine that answers every request the service makes well
 * enough for a run to complete, and every _bulk at once, so that a run against it measures the service alone
 * (dev/bench.sh --sink). It needs only the JDK (com.sun.net.httpserver): run it with the source launcher.
 *
 *   java dev/bench/BulkSink.java serve --port P [--threads T]
 *       Serves on 127.0.0.1:P with T handler threads (default 8) until it is stopped; prints "READY port=P" once it
 *       listens and, when stopped (SIGTERM), one line
 *           SINK requests=N bulk_requests=N actions=N bytes=B unknown=N
 *       What it keeps is what the service checks: indices (name, creation date, the _meta of the mapping, the
 *       aliases) and the ids of the documents each one holds, so _count is the number of distinct ids indexed and
 *       not deleted. A _bulk body is read only as far as needed: each action line's action and _id, and the line
 *       after it skipped unless the action is a delete. Every item succeeds (index 201 or 200, delete 200 or 404),
 *       except a create of an id the index holds (409, as the engine answers). Everything else is answered
 *       plausibly: index creation, settings, mapping _meta, health (always green), refresh, flush, translog stats
 *       (nothing uncommitted), operations in flight (none), _count, _mget (found or not, _seq_no 0, _primary_term
 *       1), alias reads, _aliases (atomic), deletion, _cat/indices. A call it does not know gets a 400 and a line on
 *       stderr. The ids take about 100 bytes each on the heap: dev/bench.sh's -Xmx1g holds some 5,000,000 documents.
 *
 *   java dev/bench/BulkSink.java load --url URL [--senders S] [--seconds D] [--doc-bytes B] [--max-docs N]
 *       The sink's own speed: S concurrent senders (java.net.http, HTTP/1.1 keep-alive) post synthetic _bulk bodies
 *       of N documents (default 1000) of about B bytes each (default 5200, the service's documents on the sample
 *       data) into a fresh index for D seconds (default 20), check every answer, then delete the index. Prints
 *           RESULT documents=N bytes=B requests=N ms=T
 *
 * Exit status 0 on success, 1 on any failure (with the reason on stderr).
 */

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

public class BulkSink {

    public static void main(String[] args) {
        try {
            if (args.length == 0) {
                throw new IllegalArgumentException("usage: BulkSink serve --port P | load --url URL ...");
            }
            Map<String, String> options = BenchArgs.options(args);
            switch (args[0]) {
                case "serve" -> serve(Integer.parseInt(BenchArgs.required(options, "port")),
                        Integer.parseInt(options.getOrDefault("threads", "8")));
                case "load" -> load(BenchArgs.required(options, "url"),
                        Integer.parseInt(options.getOrDefault("senders", "3")),
                        Integer.parseInt(options.getOrDefault("seconds", "20")),
                        Integer.parseInt(options.getOrDefault("doc-bytes", "5200")),
                        Integer.parseInt(options.getOrDefault("max-docs", "1000")));
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            }
        } catch (Exception e) {
            System.err.println("BulkSink: " + e.getMessage());
            if (!(e instanceof IllegalArgumentException || e instanceof SinkException)) {
                e.printStackTrace();
            }
            System.exit(1);
        }
    }

    // -------------------------------------------------------------------------------------------------- serve

    /** One index: what the service reads back of it. */
    static final class Index {
        final String name;
        final long createdAt = System.currentTimeMillis();
        final Set<String> ids = ConcurrentHashMap.newKeySet();
        final Set<String> aliases = ConcurrentHashMap.newKeySet();
        volatile Object meta;   // the mapping's _meta, null until put

        Index(String name) {
            this.name = name;
        }
    }

    static final Map<String, Index> INDICES = new ConcurrentHashMap<>();
    /** Held to change or read aliases as a whole, so that an _aliases call is atomic. */
    static final Object ALIASES = new Object();
    static final AtomicLong REQUESTS = new AtomicLong();
    static final AtomicLong BULK_REQUESTS = new AtomicLong();
    static final AtomicLong ACTIONS = new AtomicLong();
    static final AtomicLong BYTES = new AtomicLong();
    static final AtomicLong UNKNOWN = new AtomicLong();
    /** The request body, read into a buffer each handler thread keeps. */
    static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[8 << 20]);

    static void serve(int port, int threads) throws Exception {
        // Without it, a small answer written after its headers can wait for a delayed ACK (Nagle's algorithm).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        server.setExecutor(pool);
        server.createContext("/", BulkSink::handle);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.printf("SINK requests=%d bulk_requests=%d actions=%d bytes=%d unknown=%d%n", REQUESTS.get(),
                    BULK_REQUESTS.get(), ACTIONS.get(), BYTES.get(), UNKNOWN.get());
            System.out.flush();
            stopped.countDown();
        }));
        server.start();
        System.out.println("READY port=" + port);
        System.out.flush();
        stopped.await();
    }

    /** An answer: status and JSON (or text) body; a null body for HEAD. */
    record Answer(int status, byte[] body, String contentType) {
        static Answer json(int status, String json) {
            return new Answer(status, json.getBytes(StandardCharsets.UTF_8), "application/json; charset=UTF-8");
        }
    }

    static final Answer ACK = Answer.json(200, "{\"acknowledged\":true}");
    static final String SHARDS = "{\"total\":1,\"successful\":1,\"failed\":0}";

    static void handle(HttpExchange exchange) throws IOException {
        REQUESTS.incrementAndGet();
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            int length = readBody(exchange);
            Answer answer;
            try {
                answer = route(method, path, exchange.getRequestURI().getRawQuery(), BUFFER.get(), length);
            } catch (RuntimeException e) {
                answer = error(400, "illegal_argument_exception", "bulk-sink: " + e);
            }
            if (answer == null) {
                UNKNOWN.incrementAndGet();
                System.err.println("bulk-sink: unknown call " + method + " " + exchange.getRequestURI());
                answer = error(400, "illegal_argument_exception", "bulk-sink does not know " + method + " " + path);
            }
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(answer.status(), -1);
            } else {
                exchange.sendResponseHeaders(answer.status(), answer.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer.body());
                }
            }
        }
    }

    /** Reads the whole request body into this thread's buffer (grown if needed); returns its length. */
    static int readBody(HttpExchange exchange) throws IOException {
        byte[] buffer = BUFFER.get();
        int length = 0;
        try (InputStream in = exchange.getRequestBody()) {
            for (int n; (n = in.read(buffer, length, buffer.length - length)) >= 0;) {
                length += n;
                if (length == buffer.length) {
                    byte[] larger = new byte[buffer.length * 2];
                    System.arraycopy(buffer, 0, larger, 0, length);
                    buffer = larger;
                    BUFFER.set(buffer);
                }
            }
        }
        return length;
    }

    static Answer route(String method, String path, String query, byte[] body, int length) {
        String[] parts = path.substring(1).split("/", -1);
        String first = decode(parts[0]);
        String second = parts.length > 1 ? parts[1] : null;
        String third = parts.length > 2 ? decode(parts[2]) : null;
        boolean get = method.equals("GET") || method.equals("POST") && "_count".equals(second);
        if (first.isEmpty()) {
            return method.equals("GET") || method.equals("HEAD") ? Answer.json(200, "{\"name\":\"bulk-sink\","
                    + "\"cluster_name\":\"bulk-sink\","
                    + "\"version\":{\"number\":\"0-sink\",\"distribution\":\"bulk-sink\"},"
                    + "\"tagline\":\"answers every _bulk at once\"}") : null;
        }
        switch (first) {
            case "_bulk":
                return method.equals("POST") || method.equals("PUT") ? bulk(null, body, length) : null;
            case "_cluster":
                return "health".equals(second) && method.equals("GET") ? Answer.json(200, "{\"cluster_name\":"
                        + "\"bulk-sink\",\"status\":\"green\",\"timed_out\":false,\"number_of_nodes\":1,"
                        + "\"number_of_data_nodes\":1,\"active_primary_shards\":" + INDICES.size()
                        + ",\"active_shards\":" + INDICES.size() + ",\"relocating_shards\":0,\"initializing_shards\":0,"
                        + "\"unassigned_shards\":0}") : null;
            case "_alias":
                return second != null && method.equals("GET") ? aliasTargets(decode(second)) : null;
            case "_aliases":
                return method.equals("POST") ? updateAliases(parse(body, length)) : null;
            case "_cat":
                return "indices".equals(second) && method.equals("GET")
                        ? catIndices(third == null ? "*" : third)
                        : null;
            default:
                if (first.startsWith("_")) {
                    return null;
                }
        }
        if (second == null || second.isEmpty()) {
            return switch (method) {
                case "HEAD" -> INDICES.containsKey(first) ? Answer.json(200, "{}") : notFound(first);
                case "PUT" -> createIndex(first);
                case "DELETE" -> deleteIndex(first);
                case "GET" -> get(first, "_settings", null);
                default -> null;
            };
        }
        return switch (second) {
            case "_bulk" -> method.equals("POST") || method.equals("PUT") ? bulk(first, body, length) : null;
            case "_settings" -> method.equals("PUT") ? acknowledge(first)
                    : method.equals("GET") ? get(first, "_settings", third) : null;
            case "_mapping" -> method.equals("PUT") ? putMeta(first, parse(body, length))
                    : method.equals("GET") ? get(first, "_mapping", null) : null;
            case "_alias", "_aliases" -> method.equals("GET") ? get(first, "_alias", null) : null;
            case "_refresh", "_flush" -> method.equals("POST") || method.equals("GET") ? shards(first) : null;
            case "_count" -> get ? count(first) : null;
            case "_stats" -> method.equals("GET") ? stats(first) : null;
            case "_mget" -> method.equals("GET") || method.equals("POST") ? mget(first, parse(body, length)) : null;
            default -> null;
        };
    }

    static String decode(String part) {
        return java.net.URLDecoder.decode(part, StandardCharsets.UTF_8);
    }

    static Answer error(int status, String type, String reason) {
        String error = "{\"type\":" + quote(type) + ",\"reason\":" + quote(reason) + "}";
        return Answer.json(status, "{\"error\":{\"root_cause\":[" + error + "]," + error.substring(1) + ",\"status\":"
                + status + "}");
    }

    static Answer notFound(String index) {
        return error(404, "index_not_found_exception", "no such index [" + index + "]");
    }

    static Answer createIndex(String name) {
        if (INDICES.putIfAbsent(name, new Index(name)) != null) {
            return error(400, "resource_already_exists_exception", "index [" + name + "] already exists");
        }
        return Answer.json(200, "{\"acknowledged\":true,\"shards_acknowledged\":true,\"index\":" + quote(name) + "}");
    }

    static Answer deleteIndex(String name) {
        synchronized (ALIASES) {
            return INDICES.remove(name) == null ? notFound(name) : ACK;
        }
    }

    static Answer acknowledge(String target) {
        return resolve(target) == null ? notFound(target) : ACK;
    }

    static Answer putMeta(String name, Object body) {
        Index index = INDICES.get(name);
        if (index == null) {
            return notFound(name);
        }
        if (body instanceof Map<?, ?> mapping && mapping.containsKey("_meta")) {
            index.meta = mapping.get("_meta");
        }
        return ACK;
    }

    static Answer shards(String target) {
        return resolve(target) == null ? notFound(target) : Answer.json(200, "{\"_shards\":" + SHARDS + "}");
    }

    static Answer count(String target) {
        List<Index> indices = resolve(target);
        if (indices == null) {
            return notFound(target);
        }
        long count = 0;
        for (Index index : indices) {
            count += index.ids.size();
        }
        return Answer.json(200, "{\"count\":" + count + ",\"_shards\":{\"total\":1,\"successful\":1,\"skipped\":0,"
                + "\"failed\":0}}");
    }

    /** Translog (nothing uncommitted) and operations in flight (none), as the service reads them. */
    static Answer stats(String target) {
        List<Index> indices = resolve(target);
        if (indices == null) {
            return notFound(target);
        }
        String total = "{\"docs\":{\"count\":%d},\"translog\":{\"operations\":0,\"uncommitted_operations\":0},"
                + "\"search\":{\"query_current\":0,\"fetch_current\":0},"
                + "\"indexing\":{\"index_current\":0,\"delete_current\":0}}";
        StringBuilder each = new StringBuilder();
        long all = 0;
        for (Index index : indices) {
            long docs = index.ids.size();
            all += docs;
            each.append(each.isEmpty() ? "" : ",").append(quote(index.name)).append(":{\"primaries\":")
                    .append(total.formatted(docs)).append(",\"total\":").append(total.formatted(docs)).append('}');
        }
        return Answer.json(200, "{\"_shards\":" + SHARDS + ",\"_all\":{\"primaries\":" + total.formatted(all)
                + ",\"total\":" + total.formatted(all) + "},\"indices\":{" + each + "}}");
    }

    static Answer mget(String name, Object body) {
        Index index = INDICES.get(name);
        if (index == null) {
            return notFound(name);
        }
        StringBuilder docs = new StringBuilder("{\"docs\":[");
        if (body instanceof Map<?, ?> request && request.get("ids") instanceof List<?> ids) {
            for (Object id : ids) {
                String key = String.valueOf(id);
                docs.append(docs.charAt(docs.length() - 1) == '[' ? "" : ",").append("{\"_index\":").append(quote(name))
                        .append(",\"_id\":").append(quote(key));
                docs.append(index.ids.contains(key)
                        ? ",\"_version\":1,\"_seq_no\":0,\"_primary_term\":1,\"found\":true}"
                        : ",\"found\":false}");
            }
        }
        return Answer.json(200, docs.append("]}").toString());
    }

    /** GET /TARGET/_settings, _mapping or _alias: one entry per index TARGET names (a name, an alias, a wildcard). */
    static Answer get(String target, String what, String filter) {
        List<Index> indices = resolve(target);
        if (indices == null) {
            return notFound(target);
        }
        StringBuilder answer = new StringBuilder("{");
        for (Index index : indices) {
            answer.append(answer.length() == 1 ? "" : ",").append(quote(index.name)).append(':');
            switch (what) {
                case "_settings" -> answer.append("{\"settings\":{\"index\":{\"creation_date\":\"")
                        .append(index.createdAt).append('"')
                        .append(filter == null ? ",\"number_of_shards\":\"1\",\"number_of_replicas\":\"0\","
                                + "\"provided_name\":" + quote(index.name) : "")
                        .append("}}}");
                case "_mapping" -> answer.append("{\"mappings\":")
                        .append(index.meta == null ? "{}" : "{\"_meta\":" + write(index.meta) + "}").append('}');
                default -> answer.append("{\"aliases\":{").append(aliasList(index)).append("}}");
            }
        }
        return Answer.json(200, answer.append('}').toString());
    }

    static String aliasList(Index index) {
        StringBuilder list = new StringBuilder();
        for (String alias : new java.util.TreeSet<>(index.aliases)) {
            list.append(list.isEmpty() ? "" : ",").append(quote(alias)).append(":{}");
        }
        return list.toString();
    }

    /**
     * The indices TARGET names: a comma-separated list of index names, aliases and wildcards; null if a concrete name
     * matches nothing (404), an empty list if only wildcards do.
     */
    static List<Index> resolve(String target) {
        Map<String, Index> found = new TreeMap<>();
        synchronized (ALIASES) {
            for (String name : target.split(",")) {
                if (name.contains("*")) {
                    Pattern glob = Pattern.compile(("\\Q" + name + "\\E").replace("*", "\\E.*\\Q"));
                    INDICES.values().stream().filter(i -> glob.matcher(i.name).matches())
                            .forEach(i -> found.put(i.name, i));
                } else if (INDICES.containsKey(name)) {
                    found.put(name, INDICES.get(name));
                } else {
                    List<Index> targets = INDICES.values().stream().filter(i -> i.aliases.contains(name)).toList();
                    if (targets.isEmpty()) {
                        return null;
                    }
                    targets.forEach(i -> found.put(i.name, i));
                }
            }
        }
        return new ArrayList<>(found.values());
    }

    static Answer aliasTargets(String alias) {
        StringBuilder answer = new StringBuilder("{");
        synchronized (ALIASES) {
            for (Index index : new TreeMap<>(INDICES).values()) {
                if (index.aliases.contains(alias)) {
                    answer.append(answer.length() == 1 ? "" : ",").append(quote(index.name))
                            .append(":{\"aliases\":{").append(quote(alias)).append(":{}}}");
                }
            }
        }
        if (answer.length() == 1) {
            return Answer.json(404, "{\"error\":\"alias [" + alias + "] missing\",\"status\":404}");
        }
        return Answer.json(200, answer.append('}').toString());
    }

    /** POST /_aliases: every action checked first, then all applied under one lock. */
    static Answer updateAliases(Object body) {
        if (!(body instanceof Map<?, ?> request) || !(request.get("actions") instanceof List<?> actions)) {
            return error(400, "action_request_validation_exception", "no actions");
        }
        synchronized (ALIASES) {
            List<Runnable> changes = new ArrayList<>();
            for (Object entry : actions) {
                if (!(entry instanceof Map<?, ?> action) || action.size() != 1) {
                    return error(400, "parsing_exception", "an action must be an object with one field");
                }
                String kind = String.valueOf(action.keySet().iterator().next());
                if (!(action.get(kind) instanceof Map<?, ?> args)) {
                    return error(400, "parsing_exception", "action " + kind + " without arguments");
                }
                Index index = INDICES.get(String.valueOf(args.get("index")));
                String alias = String.valueOf(args.get("alias"));
                if (index == null) {
                    return notFound(String.valueOf(args.get("index")));
                }
                switch (kind) {
                    case "add" -> changes.add(() -> index.aliases.add(alias));
                    case "remove" -> {
                        if (!index.aliases.contains(alias)) {
                            return error(404, "aliases_not_found_exception", "aliases [" + alias + "] missing");
                        }
                        changes.add(() -> index.aliases.remove(alias));
                    }
                    default -> {
                        return error(400, "parsing_exception", "bulk-sink does not know the alias action " + kind);
                    }
                }
            }
            changes.forEach(Runnable::run);
        }
        return ACK;
    }

    static Answer catIndices(String pattern) {
        List<Index> indices = resolve(pattern);
        StringBuilder text = new StringBuilder();
        for (Index index : indices == null ? List.<Index>of() : indices) {
            text.append(index.name).append('\n');
        }
        return new Answer(200, text.toString().getBytes(StandardCharsets.UTF_8), "text/plain; charset=UTF-8");
    }

    /**
     * One _bulk body: each action line's action and _id, the document line after it skipped (none after a delete).
     * The answer has one item per action, in order.
     */
    static Answer bulk(String defaultIndex, byte[] body, int length) {
        BULK_REQUESTS.incrementAndGet();
        BYTES.addAndGet(length);
        StringBuilder items = new StringBuilder(64 * 1024);
        boolean errors = false;
        int actions = 0;
        int pos = 0;
        while (pos < length) {
            int end = lineEnd(body, pos, length);
            if (end == pos || blank(body, pos, end)) {
                pos = end + 1;
                continue;
            }
            String line = new String(body, pos, end - pos, StandardCharsets.UTF_8);
            pos = end + 1;
            String action = actionOf(line);
            String indexName = stringField(line, "_index");
            if (indexName == null) {
                indexName = defaultIndex;
            }
            if (indexName == null) {
                throw new IllegalArgumentException("an action without _index in " + line);
            }
            Index index = INDICES.computeIfAbsent(indexName, Index::new);   // the engine creates it too
            String id = stringField(line, "_id");
            if (!action.equals("delete")) {
                pos = lineEnd(body, pos, length) + 1;   // the document
            }
            if (id == null) {
                id = "sink-" + ACTIONS.get() + "-" + actions;
            }
            actions++;
            int status;
            String error = null;
            switch (action) {
                case "index" -> status = index.ids.add(id) ? 201 : 200;
                case "create" -> {
                    status = index.ids.add(id) ? 201 : 409;
                    if (status == 409) {
                        error = "{\"type\":\"version_conflict_engine_exception\",\"reason\":\"[" + id
                                + "]: version conflict, document already exists\"}";
                    }
                }
                case "update" -> status = index.ids.contains(id) ? 200 : 404;
                case "delete" -> status = index.ids.remove(id) ? 200 : 404;
                default -> throw new IllegalArgumentException("unknown bulk action " + action);
            }
            if (action.equals("update") && status == 404) {
                error = "{\"type\":\"document_missing_exception\",\"reason\":\"[" + id + "]: document missing\"}";
            }
            errors |= error != null;
            items.append(actions == 1 ? "" : ",").append("{\"").append(action).append("\":{\"_index\":")
                    .append(quote(indexName)).append(",\"_id\":").append(quote(id)).append(",\"status\":")
                    .append(status);
            if (error != null) {
                items.append(",\"error\":").append(error);
            }
            items.append("}}");
        }
        ACTIONS.addAndGet(actions);
        return Answer.json(200, "{\"took\":0,\"errors\":" + errors + ",\"items\":[" + items + "]}");
    }

    static int lineEnd(byte[] body, int from, int length) {
        for (int i = from; i < length; i++) {
            if (body[i] == '\n') {
                return i;
            }
        }
        return length;
    }

    static boolean blank(byte[] body, int from, int to) {
        for (int i = from; i < to; i++) {
            if (body[i] != ' ' && body[i] != '\r' && body[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    /** The action of an action line: its first field's name ({"index":{...}}). */
    static String actionOf(String line) {
        int open = line.indexOf('"');
        int close = open < 0 ? -1 : line.indexOf('"', open + 1);
        if (close < 0) {
            throw new IllegalArgumentException("not a bulk action line: " + line);
        }
        return line.substring(open + 1, close);
    }

    /** A string field of an action line ("_id":"..."), or null; ids with escapes are kept as written. */
    static String stringField(String line, String name) {
        String key = "\"" + name + "\"";
        int at = line.indexOf(key);
        if (at < 0) {
            return null;
        }
        int colon = line.indexOf(':', at + key.length());
        int open = line.indexOf('"', colon + 1);
        if (colon < 0 || open < 0) {
            return null;
        }
        int close = open + 1;
        while (close < line.length() && line.charAt(close) != '"') {
            close += line.charAt(close) == '\\' ? 2 : 1;
        }
        return line.substring(open + 1, Math.min(close, line.length()));
    }

    // --------------------------------------------------------------------------------------------------- load

    static void load(String url, int senders, int seconds, int docBytes, int maxDocs) throws Exception {
        if (senders < 1 || seconds < 1 || docBytes < 100 || maxDocs < 1) {
            throw new IllegalArgumentException("--senders, --seconds, --max-docs must be positive, --doc-bytes >= 100");
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        String index = "bench-sink-load-" + System.currentTimeMillis();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        call(http, "PUT", base + "/" + index, "{}", 200);
        // Eight bodies with distinct ids, sent in turn: the index's id set stays as large as 8 bodies.
        List<byte[]> bodies = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            bodies.add(syntheticBody(b * maxDocs, maxDocs, docBytes));
        }
        AtomicLong documents = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        URI bulk = URI.create(base + "/" + index + "/_bulk?filter_path=items.*._id,items.*.status,items.*.error");
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        List<Future<?>> futures = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            futures.add(pool.submit(() -> {
                for (int i = sender; System.nanoTime() < deadline; i += senders) {
                    byte[] body = bodies.get(i % bodies.size());
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(bulk)
                            .timeout(Duration.ofMinutes(1)).header("Content-Type", "application/x-ndjson")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                    if (response.statusCode() != 200 || response.body().contains("\"error\"")
                            || count(response.body(), "\"status\":20") != maxDocs) {
                        throw new SinkException("_bulk answered " + response.statusCode() + ": "
                                + BenchArgs.abbreviate(response.body()));
                    }
                    documents.addAndGet(maxDocs);
                    bytes.addAndGet(body.length);
                    requests.incrementAndGet();
                }
                return null;
            }));
        }
        pool.shutdown();
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            pool.shutdownNow();
            throw new SinkException("load failed: " + e.getCause());
        } finally {
            call(http, "DELETE", base + "/" + index, null, -1);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("RESULT documents=%d bytes=%d requests=%d ms=%d%n", documents.get(), bytes.get(),
                requests.get(), ms);
    }

    /** N index actions with ids FIRST.., each document about DOC_BYTES of JSON in a few fields. */
    static byte[] syntheticBody(int first, int n, int docBytes) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(n * (docBytes + 40));
        String words = "aerospace engineering software consulting manufacturing export logistics design ";
        StringBuilder text = new StringBuilder();
        while (text.length() < docBytes - 120) {
            text.append(words);
        }
        String description = text.substring(0, docBytes - 120);
        for (int i = 0; i < n; i++) {
            String id = String.valueOf(first + i + 1);
            body.writeBytes(("{\"index\":{\"_id\":\"" + id + "\"}}\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(("{\"pk\":\"" + id + "\",\"name\":\"Company " + id + " Ltd\",\"number\":\"0" + id
                    + "\",\"sectors\":[\"AEROSPACE\"],\"description\":\"" + description + "\"}\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return body.toByteArray();
    }

    static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + what.length())) {
            n++;
        }
        return n;
    }

    static String call(HttpClient http, String method, String url, String json, int expect)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1));
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (expect != -1 && response.statusCode() != expect) {
            throw new SinkException(method + " " + url + " answered " + response.statusCode() + ": "
                    + BenchArgs.abbreviate(response.body()));
        }
        return response.body();
    }

    // ----------------------------------------------------------------------------------- a little JSON, options

    static Object parse(byte[] body, int length) {
        if (length == 0) {
            return null;
        }
        return new Json(new String(body, 0, length, StandardCharsets.UTF_8)).document();
    }

    /** A minimal JSON reader for the small request bodies (objects, arrays, strings, numbers, literals). */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object document() {
            Object value = value();
            space();
            if (i != s.length()) {
                throw new IllegalArgumentException("trailing characters in JSON at " + i);
            }
            return value;
        }

        private void space() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private Object value() {
            space();
            if (i >= s.length()) {
                throw new IllegalArgumentException("JSON ends early");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    i++;
                    Map<String, Object> object = new LinkedHashMap<>();
                    space();
                    if (s.charAt(i) == '}') {
                        i++;
                        return object;
                    }
                    while (true) {
                        space();
                        String key = string();
                        space();
                        expect(':');
                        object.put(key, value());
                        space();
                        if (s.charAt(i) == ',') {
                            i++;
                        } else {
                            expect('}');
                            return object;
                        }
                    }
                }
                case '[' -> {
                    i++;
                    List<Object> array = new ArrayList<>();
                    space();
                    if (s.charAt(i) == ']') {
                        i++;
                        return array;
                    }
                    while (true) {
                        array.add(value());
                        space();
                        if (s.charAt(i) == ',') {
                            i++;
                        } else {
                            expect(']');
                            return array;
                        }
                    }
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    int start = i;
                    while (i < s.length() && "{}[],: \t\r\n".indexOf(s.charAt(i)) < 0) {
                        i++;
                    }
                    String word = s.substring(start, i);
                    return switch (word) {
                        case "true" -> Boolean.TRUE;
                        case "false" -> Boolean.FALSE;
                        case "null" -> null;
                        default -> new Num(word);
                    };
                }
            }
        }

        private void expect(char c) {
            if (i >= s.length() || s.charAt(i) != c) {
                throw new IllegalArgumentException("expected '" + c + "' in JSON at " + i);
            }
            i++;
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> out.append('\n');
                        case 't' -> out.append('\t');
                        case 'r' -> out.append('\r');
                        case 'b' -> out.append('\b');
                        case 'f' -> out.append('\f');
                        case 'u' -> {
                            out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> out.append(e);
                    }
                } else {
                    out.append(c);
                }
            }
        }
    }

    /** A JSON number, kept as written. */
    record Num(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    static String write(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String text) {
            return quote(text);
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder out = new StringBuilder("{");
            map.forEach((k, v) -> out.append(out.length() == 1 ? "" : ",").append(quote(String.valueOf(k))).append(':')
                    .append(write(v)));
            return out.append('}').toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder out = new StringBuilder("[");
            list.forEach(v -> out.append(out.length() == 1 ? "" : ",").append(write(v)));
            return out.append(']').toString();
        }
        return value.toString();   // Boolean, Num
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static final class SinkException extends RuntimeException {
        SinkException(String message) {
            super(message);
        }
    }
}
