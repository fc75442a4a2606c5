package io.companies.reindexer.index;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.quarkus.logging.Log;

/**
 * Deletes the indices an alias swap left behind once the searches and writes already running on them can have
 * finished: a search that resolved the alias just before the swap still runs on the old index, and deleting it under
 * that search fails the search. It waits a grace period, then until the engine reports nothing in flight on them,
 * at most until a deadline, and never deletes an index that carries an alias.
 */
public final class IndexRetirement {

    private static final Duration POLL = Duration.ofMillis(200);

    private final SearchEngine engine;
    private final Duration grace;
    private final Duration timeout;

    /**
     * @param grace the least time between the swap and the deletion
     * @param timeout the most time to wait for searches and writes in flight, after the grace
     */
    public IndexRetirement(SearchEngine engine, Duration grace, Duration timeout) {
        this.engine = engine;
        this.grace = grace;
        this.timeout = timeout;
    }

    public void retire(List<String> indices) throws IOException {
        if (indices.isEmpty()) {
            return;
        }
        SearchEngine.pause(grace);
        Instant deadline = Instant.now().plus(timeout);
        for (String index : indices) {
            if (!engine.exists(index)) {
                continue;
            }
            long inFlight;
            while ((inFlight = engine.operationsInFlight(index)) > 0 && Instant.now().isBefore(deadline)) {
                SearchEngine.pause(POLL);
            }
            if (inFlight > 0) {
                Log.warnf("Index %s still has %d searches or writes in flight after %s: deleting it anyway", index,
                        inFlight, grace.plus(timeout));
            }
            engine.deleteIndex(index);
            Log.infof("Deleted retired index %s", index);
        }
    }

}
