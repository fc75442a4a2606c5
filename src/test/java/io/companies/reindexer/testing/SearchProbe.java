package io.companies.reindexer.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Searchers of an alias during a rebuild: threads that each search it in a loop ({@code match_all}, one hit, exact
 * total) and count every answer a searcher should never get during a zero-downtime rebuild: an error, no hits, or a
 * total other than the expected one. Only reads the engine.
 */
public final class SearchProbe implements AutoCloseable {

    private static final int KEPT_PROBLEMS = 20;
    private static final int SUMMARIZED_PROBLEMS = 5;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final String QUERY = "{\"size\":1,\"track_total_hits\":true,\"query\":{\"match_all\":{}}}";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpRequest search;
    private final Duration pause;
    private final LongSupplier expectedTotal;
    private final AtomicLong searches = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong empty = new AtomicLong();
    private final AtomicLong wrongTotals = new AtomicLong();
    private final List<String> problems = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    private SearchProbe(URI engine, String alias, Duration pause, LongSupplier expectedTotal) {
        this.search = HttpRequest.newBuilder(engine.resolve("/" + alias + "/_search")).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(QUERY)).build();
        this.pause = pause;
        this.expectedTotal = expectedTotal;
    }

    /**
     * Starts {@code threads} searchers of {@code alias}, each pausing {@code pause} between searches. A 200 answer
     * whose total differs from {@code expectedTotal} counts as wrong, unless the supplier returns -1 (don't check).
     */
    public static SearchProbe start(URI engine, String alias, int threads, Duration pause, LongSupplier expectedTotal) {
        SearchProbe probe = new SearchProbe(engine, alias, pause, expectedTotal);
        Thread.Builder builder = Thread.ofVirtual().name("search-probe-", 0);
        for (int i = 0; i < threads; i++) {
            probe.threads.add(builder.start(probe::searchUntilClosed));
        }
        return probe;
    }

    private void searchUntilClosed() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                searchOnce();
                Thread.sleep(pause);
            }
        } catch (InterruptedException e) {
            // Closed: a search cut short by close() is not counted.
        }
    }

    private void searchOnce() throws InterruptedException {
        long expected = expectedTotal.getAsLong();
        HttpResponse<String> answer;
        try {
            answer = http.send(search, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            searches.incrementAndGet();
            failed.incrementAndGet();
            problem(e.toString());
            return;
        }
        searches.incrementAndGet();
        if (answer.statusCode() != 200) {
            failed.incrementAndGet();
            problem("status " + answer.statusCode() + ": " + head(answer.body()));
            return;
        }
        JsonNode body = parse(answer.body());
        long total = body.path("hits").path("total").path("value").asLong();
        if (total == 0) {
            empty.incrementAndGet();
            problem("no hits, shards " + body.path("_shards"));
        } else if (expected >= 0 && total != expected) {
            wrongTotals.incrementAndGet();
            problem(total + " hits instead of " + expected + ", shards " + body.path("_shards"));
        }
    }

    private JsonNode parse(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return json.missingNode();
        }
    }

    private synchronized void problem(String description) {
        if (problems.size() < KEPT_PROBLEMS) {
            problems.add(Instant.now() + " " + description);
        }
    }

    private static String head(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300);
    }

    /** Waits until at least {@code count} searches have been answered (or have failed). */
    public void awaitSearches(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (searches() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Only " + summary() + " within " + timeout);
            }
            Thread.sleep(10);
        }
    }

    public long searches() {
        return searches.get();
    }

    /** Non-200 answers and searches that got no answer at all. */
    public long failed() {
        return failed.get();
    }

    public long empty() {
        return empty.get();
    }

    public long wrongTotals() {
        return wrongTotals.get();
    }

    /** The first problems seen, each with its time. */
    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /** The counts and the first few problems, for an assertion message. */
    public String summary() {
        List<String> first = problems().stream().limit(SUMMARIZED_PROBLEMS).toList();
        return searches() + " searches, " + failed() + " failed, " + empty() + " empty, " + wrongTotals()
                + " wrong totals" + (first.isEmpty() ? "" : "; first problems: " + String.join("; ", first));
    }

    /** Stops every searcher and waits for it. */
    @Override
    public void close() throws InterruptedException {
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            thread.join();
        }
        http.close();
    }
}
