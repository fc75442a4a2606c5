/*
 * The benchmark's ceiling: how fast the search engine takes the service's documents when nothing but a plain _bulk
 * sender stands in between. It needs only the JDK and Jackson: run it with the source launcher and the jackson-core,
 * -databind and -annotations jars on the class path (dev/bench.sh passes the service's own, from
 * target/quarkus-app/lib/main):
 *
 *   java --class-path JACKSON_JARS dev/bench/BulkCeiling.java export --url URL --index NAME --out DIR
 *           [--max-bytes B] [--max-docs D]
 *       Reads every document of index NAME (scroll, sorted by _doc, with _source) into NDJSON _bulk bodies
 *       DIR/bulk-NNNNNN.ndjson of at most B bytes and D documents each ({"index":{"_id":...}} + source lines),
 *       and writes DIR/create-index.json (NAME's settings and mappings, read-only settings dropped, no replica
 *       and no refresh while loading), DIR/settle.json (its replicas and default refresh back) and
 *       DIR/manifest.properties. Not timed.
 *
 *   java --class-path JACKSON_JARS dev/bench/BulkCeiling.java load --url URL --index NAME --dir DIR [--senders S]
 *       Creates index NAME from DIR/create-index.json, sends every DIR/bulk-*.ndjson with S concurrent senders
 *       (a fixed thread pool, one HttpClient, HTTP/1.1 keep-alive), checks "errors":false in every answer, puts
 *       DIR/settle.json, refreshes, checks the count and deletes the index again. Prints one line
 *           RESULT documents=N bytes=B files=F create_ms=.. bulk_ms=.. settle_ms=.. total_ms=..
 *
 *   java --class-path JACKSON_JARS dev/bench/BulkCeiling.java delete --url URL --index NAME
 *       Deletes NAME (absent is fine).
 *
 * Exit status 0 on success, 1 on any failure (with the reason on stderr).
 */

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

public class BulkCeiling {

    static final Duration TIMEOUT = Duration.ofMinutes(5);

    /**
     * Trees keep their key order, and decimals their digits, so a document read and written again has the same bytes
     * as the engine's compact JSON (the service wrote it with Jackson too).
     */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
            .build();

    /** Settings the engine reports but refuses at index creation (or that must not be copied). */
    static final List<String> READ_ONLY_SETTINGS = List.of("uuid", "creation_date", "creation_date_string",
            "provided_name", "version", "history_uuid", "resize", "verified_before_close");

    public static void main(String[] args) {
        try {
            if (args.length == 0) {
                throw new IllegalArgumentException("usage: BulkCeiling export|load|delete --url URL --index NAME ...");
            }
            Map<String, String> options = BenchArgs.options(args);
            Engine engine = new Engine(BenchArgs.required(options, "url"));
            String index = BenchArgs.required(options, "index");
            switch (args[0]) {
                case "export" -> export(engine, index, Path.of(BenchArgs.required(options, "out")),
                        Long.parseLong(options.getOrDefault("max-bytes", String.valueOf(5L << 20))),
                        Integer.parseInt(options.getOrDefault("max-docs", "1000")));
                case "load" -> load(engine, index, Path.of(BenchArgs.required(options, "dir")),
                        Integer.parseInt(options.getOrDefault("senders", "2")));
                case "delete" -> engine.deleteIfExists(index);
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            }
        } catch (Exception e) {
            System.err.println("BulkCeiling: " + e.getMessage());
            if (!(e instanceof IllegalArgumentException || e instanceof BenchException
                    || e instanceof JsonProcessingException)) {
                e.printStackTrace();
            }
            System.exit(1);
        }
    }

    // ------------------------------------------------------------------------------------------------- export

    static void export(Engine engine, String index, Path out, long maxBytes, int maxDocs) throws Exception {
        if (maxBytes < 1 || maxDocs < 1) {
            throw new IllegalArgumentException("--max-bytes and --max-docs must be positive");
        }
        Files.createDirectories(out);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(out)) {
            for (Path file : old) {
                Files.delete(file);
            }
        }

        // The index body: the settings and mappings of the index the service built, as it was created.
        ObjectNode settingsAnswer = obj(JSON.readTree(engine.call("GET", "/" + index + "/_settings", null, 200)));
        ObjectNode indexSettings = obj(firstValue(settingsAnswer).path("settings").path("index"));
        JsonNode replicas = indexSettings.has("number_of_replicas")
                ? indexSettings.get("number_of_replicas") : TextNode.valueOf("0");
        indexSettings.remove(READ_ONLY_SETTINGS);
        indexSettings.put("number_of_replicas", "0");
        indexSettings.put("refresh_interval", "-1");
        indexSettings.put("translog.durability", "async");   // as the service loads (IndexDefinition)
        ObjectNode mappingAnswer = obj(JSON.readTree(engine.call("GET", "/" + index + "/_mapping", null, 200)));
        ObjectNode mappings = obj(firstValue(mappingAnswer).get("mappings"));
        mappings.remove("_meta");   // the service's "complete" mark, not part of the definition
        ObjectNode body = JSON.createObjectNode();
        body.putObject("settings").set("index", indexSettings);
        body.set("mappings", mappings);
        Files.writeString(out.resolve("create-index.json"), JSON.writeValueAsString(body));
        ObjectNode settle = JSON.createObjectNode();
        ObjectNode settleIndex = settle.putObject("index");
        settleIndex.set("number_of_replicas", replicas);
        settleIndex.putNull("refresh_interval");
        settleIndex.putNull("translog.durability");
        Files.writeString(out.resolve("settle.json"), JSON.writeValueAsString(settle));

        // The documents, in _doc order, cut into bodies like the service's: at most maxDocs and maxBytes each.
        long documents = 0;
        long bytes = 0;
        int files = 0;
        long started = System.nanoTime();
        String scrollId = null;
        OutputStream file = null;
        int inFile = 0;
        long fileBytes = 0;
        try {
            String answer = engine.call("POST", "/" + index + "/_search?scroll=2m",
                    "{\"size\":1000,\"sort\":[\"_doc\"],\"track_total_hits\":true}", 200);
            while (true) {
                ObjectNode page = obj(JSON.readTree(answer));
                scrollId = page.path("_scroll_id").textValue();
                ArrayNode hits = array(page.path("hits").path("hits"));
                if (hits.isEmpty()) {
                    break;
                }
                for (JsonNode h : hits) {
                    ObjectNode hit = obj(h);
                    byte[] item = ("{\"index\":{\"_id\":" + JSON.writeValueAsString(hit.get("_id")) + "}}\n"
                            + JSON.writeValueAsString(hit.get("_source")) + "\n").getBytes(StandardCharsets.UTF_8);
                    if (file != null && (inFile >= maxDocs || fileBytes + item.length > maxBytes)) {
                        file.close();
                        file = null;
                    }
                    if (file == null) {
                        files++;
                        file = new BufferedOutputStream(
                                Files.newOutputStream(out.resolve(String.format("bulk-%06d.ndjson", files))), 1 << 20);
                        inFile = 0;
                        fileBytes = 0;
                    }
                    file.write(item);
                    inFile++;
                    fileBytes += item.length;
                    documents++;
                    bytes += item.length;
                }
                answer = engine.call("POST", "/_search/scroll",
                        JSON.writeValueAsString(Map.of("scroll", "2m", "scroll_id", scrollId)), 200);
            }
        } finally {
            if (file != null) {
                file.close();
            }
            if (scrollId != null) {
                try {
                    engine.call("DELETE", "/_search/scroll",
                            JSON.writeValueAsString(Map.of("scroll_id", List.of(scrollId))), -1);
                } catch (Exception ignored) {
                    // the scroll expires by itself
                }
            }
        }
        long expected = count(engine, index);
        if (documents != expected) {
            throw new BenchException("exported " + documents + " documents, but " + index + " holds " + expected);
        }
        Properties manifest = new Properties();
        manifest.setProperty("source.index", index);
        manifest.setProperty("documents", String.valueOf(documents));
        manifest.setProperty("bytes", String.valueOf(bytes));
        manifest.setProperty("files", String.valueOf(files));
        manifest.setProperty("max.bytes", String.valueOf(maxBytes));
        manifest.setProperty("max.docs", String.valueOf(maxDocs));
        try (OutputStream m = Files.newOutputStream(out.resolve("manifest.properties"))) {
            manifest.store(m, "written by BulkCeiling export");
        }
        System.out.printf("EXPORT documents=%d bytes=%d files=%d ms=%d%n", documents, bytes, files,
                (System.nanoTime() - started) / 1_000_000);
    }

    // --------------------------------------------------------------------------------------------------- load

    static void load(Engine engine, String index, Path dir, int senders) throws Exception {
        if (senders < 1) {
            throw new IllegalArgumentException("--senders must be at least 1");
        }
        Properties manifest = new Properties();
        try (var in = Files.newInputStream(dir.resolve("manifest.properties"))) {
            manifest.load(in);
        }
        long expected = Long.parseLong(manifest.getProperty("documents"));
        String createBody = Files.readString(dir.resolve("create-index.json"));
        String settleBody = Files.readString(dir.resolve("settle.json"));
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "bulk-*.ndjson")) {
            stream.forEach(files::add);
        }
        Collections.sort(files);
        if (files.size() != Integer.parseInt(manifest.getProperty("files"))) {
            throw new BenchException(dir + " holds " + files.size() + " bulk files, the manifest says "
                    + manifest.getProperty("files"));
        }

        engine.deleteIfExists(index);
        try {
            long t0 = System.nanoTime();
            engine.call("PUT", "/" + index, createBody, 200);
            long t1 = System.nanoTime();

            AtomicInteger next = new AtomicInteger();
            AtomicBoolean failed = new AtomicBoolean();
            long[] sentBytes = new long[senders];
            ExecutorService pool = Executors.newFixedThreadPool(senders);
            List<Future<?>> futures = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int sender = s;
                futures.add(pool.submit(() -> {
                    int i;
                    while (!failed.get() && (i = next.getAndIncrement()) < files.size()) {
                        try {
                            byte[] body = Files.readAllBytes(files.get(i));
                            engine.bulk(index, body, files.get(i).getFileName().toString());
                            sentBytes[sender] += body.length;
                        } catch (IOException e) {
                            failed.set(true);
                            throw new UncheckedIOException(e);
                        } catch (RuntimeException e) {
                            failed.set(true);
                            throw e;
                        }
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
                Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
                throw new BenchException("bulk failed: " + cause.getMessage());
            }
            long t2 = System.nanoTime();

            engine.call("PUT", "/" + index + "/_settings", settleBody, 200);
            engine.call("POST", "/" + index + "/_refresh", null, 200);
            long documents = count(engine, index);
            long t3 = System.nanoTime();
            if (documents != expected) {
                throw new BenchException("index " + index + " holds " + documents + " documents, " + expected
                        + " were sent");
            }
            long bytes = 0;
            for (long b : sentBytes) {
                bytes += b;
            }
            System.out.printf("RESULT documents=%d bytes=%d files=%d create_ms=%d bulk_ms=%d settle_ms=%d total_ms=%d%n",
                    documents, bytes, files.size(), ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), ms(t3 - t0));
        } finally {
            engine.deleteIfExists(index);
        }
    }

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    static long count(Engine engine, String index) throws Exception {
        JsonNode count = obj(JSON.readTree(engine.call("GET", "/" + index + "/_count", null, 200))).path("count");
        if (!count.canConvertToExactIntegral()) {
            throw new BenchException("GET /" + index + "/_count answered no count: "
                    + BenchArgs.abbreviate(count.toString()));
        }
        return count.longValue();
    }

    // ------------------------------------------------------------------------------------------------- engine

    static final class Engine {
        private final String url;
        private final HttpClient http;

        Engine(String url) {
            this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
        }

        /** Sends a JSON request; fails unless the status is {@code expect} (-1: any). Returns the answer. */
        String call(String method, String path, String json, int expect) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(TIMEOUT);
            if (json == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (expect != -1 && response.statusCode() != expect) {
                throw new BenchException(method + " " + path + " answered " + response.statusCode() + ": "
                        + BenchArgs.abbreviate(response.body()));
            }
            return response.body();
        }

        void deleteIfExists(String index) throws IOException, InterruptedException {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/" + index))
                    .timeout(TIMEOUT).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200 && response.statusCode() != 404) {
                throw new BenchException("DELETE /" + index + " answered " + response.statusCode() + ": "
                        + BenchArgs.abbreviate(response.body()));
            }
        }

        /**
         * One {@code _bulk} request; the answer is filtered down to "errors" (and the errors of failed items, if
         * any), which must be false. A whole request refused with 429 is sent again after a backoff.
         */
        void bulk(String index, byte[] body, String name) throws IOException {
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create(url + "/" + index + "/_bulk?filter_path=errors,items.*.error"))
                    .timeout(TIMEOUT).header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            long backoff = 500;
            for (int attempt = 0; ; attempt++) {
                HttpResponse<String> response;
                try {
                    response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                if (response.statusCode() == 429 && attempt < 8) {
                    sleep(backoff);
                    backoff *= 2;
                    continue;
                }
                if (response.statusCode() != 200) {
                    throw new BenchException(name + ": _bulk answered " + response.statusCode() + ": "
                            + BenchArgs.abbreviate(response.body()));
                }
                if (!response.body().replace(" ", "").contains("\"errors\":false")) {
                    throw new BenchException(name + ": _bulk answered with errors: "
                            + BenchArgs.abbreviate(response.body()));
                }
                return;
            }
        }

        private static void sleep(long millis) throws IOException {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    static final class BenchException extends RuntimeException {
        BenchException(String message) {
            super(message);
        }
    }

    // --------------------------------------------------------------------------------------------- JSON trees

    static ObjectNode obj(JsonNode node) {
        if (!(node instanceof ObjectNode o)) {
            throw new BenchException("expected a JSON object, got " + BenchArgs.abbreviate(String.valueOf(node)));
        }
        return o;
    }

    static ArrayNode array(JsonNode node) {
        if (!(node instanceof ArrayNode a)) {
            throw new BenchException("expected a JSON array, got " + BenchArgs.abbreviate(String.valueOf(node)));
        }
        return a;
    }

    /** The value of an answer's first field: {@code GET /NAME/_settings} and {@code _mapping} key theirs by index. */
    static JsonNode firstValue(ObjectNode answer) {
        if (answer.isEmpty()) {
            throw new BenchException("expected an index in " + BenchArgs.abbreviate(answer.toString()));
        }
        return answer.elements().next();
    }
}
