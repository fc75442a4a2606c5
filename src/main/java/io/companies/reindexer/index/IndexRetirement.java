package io.companies.reindexer.index;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.quarkus.logging.Log;

/**
 * Deletes the indices an alias swap left behind once the searches and writes already running on them have finished: a
 * search that resolved the alias just before the swap still runs on the old index, and deleting it under that search
 * fails the search. Once every node has applied the swap, no search or write started afterwards can reach a retired
 * index, so the only ones that can are those the engine was running at that moment: it waits for exactly those. When
 * the engine did not confirm the swap on every node, it waits a grace period instead. Either way it then waits until
 * the engine reports nothing in flight on the index, at most until a deadline, and never deletes an index that carries
 * an alias: it leaves that one in place, and says so.
 */
public final class IndexRetirement {

    private static final Duration POLL = Duration.ofMillis(100);

    private final SearchEngine engine;
    private final Duration grace;
    private final Duration timeout;

    /**
     * The searches, reads and writes the engine was running right after a swap that every node applied, or
     * {@code null} when that is not known.
     */
    public record InFlight(Instant swappedAt, Set<String> operations) {

        /** A swap made at {@code swappedAt} after which what the engine ran is not known. */
        public static InFlight unknown(Instant swappedAt) {
            return new InFlight(swappedAt, null);
        }
    }

    /**
     * @param grace the least time between the swap and the deletion, when the engine did not confirm the swap on every
     *        node
     * @param timeout the most time to wait for searches and writes in flight
     */
    public IndexRetirement(SearchEngine engine, Duration grace, Duration timeout) {
        this.engine = engine;
        this.grace = grace;
        this.timeout = timeout;
    }

    /** Takes note of what the engine runs right after {@code swap}, to be called at once. */
    public InFlight inFlightAfter(AliasSwap swap) {
        Instant now = Instant.now();
        if (swap.deleted().isEmpty() || !swap.acknowledged()) {
            return InFlight.unknown(now);
        }
        try {
            return new InFlight(now, engine.dataOperations());
        } catch (IOException e) {
            Log.warnf("The engine's running operations could not be listed after the swap (%s): the retired indices"
                    + " are deleted after the grace of %s", e.toString(), grace);
            return InFlight.unknown(now);
        }
    }

    /** What a retirement did: the indices it deleted, and those it left because they carry an alias. */
    public record Retired(List<String> deleted, List<String> kept) {
        public static final Retired NOTHING = new Retired(List.of(), List.of());
    }

    /**
     * Deletes {@code indices} once what ran on them at the swap has ended. An index that carries an alias (an
     * operator's, say, to roll back by hand) is left where it is: someone reads it on purpose.
     *
     * @param worked told whenever a search or write it waits for ends, so a long wait is not taken for a stall
     */
    public Retired retire(List<String> indices, InFlight atSwap, Runnable worked) throws IOException {
        if (indices.isEmpty()) {
            return Retired.NOTHING;
        }
        Instant deadline = Instant.now().plus(timeout);
        if (atSwap.operations() == null) {
            Duration left = Duration.between(Instant.now(), atSwap.swappedAt().plus(grace));
            if (left.isPositive()) {
                SearchEngine.pause(left);
            }
        } else {
            awaitEnd(atSwap.operations(), deadline, worked);
        }
        List<String> deleted = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (String index : indices) {
            if (!engine.exists(index)) {
                // Deleted already, by an earlier attempt of the same run.
                deleted.add(index);
                continue;
            }
            List<String> aliases = engine.aliasesOf(index);
            if (!aliases.isEmpty()) {
                Log.warnf("Retired index %s kept: it carries the alias(es) %s; delete it by hand once nobody reads it",
                        index, aliases);
                kept.add(index);
                continue;
            }
            long inFlight;
            long last = -1;
            while ((inFlight = engine.operationsInFlight(index)) > 0 && Instant.now().isBefore(deadline)) {
                if (last >= 0 && inFlight < last) {
                    worked.run();
                }
                last = inFlight;
                SearchEngine.pause(POLL);
            }
            if (inFlight > 0) {
                Log.warnf("Index %s still has %d searches or writes in flight after %s: deleting it anyway", index,
                        inFlight, timeout);
            }
            engine.deleteIndex(index);
            deleted.add(index);
            Log.infof("Deleted retired index %s", index);
        }
        return new Retired(List.copyOf(deleted), List.copyOf(kept));
    }

    private void awaitEnd(Set<String> operations, Instant deadline, Runnable worked) throws IOException {
        Set<String> running = new HashSet<>(operations);
        while (!running.isEmpty()) {
            if (running.retainAll(engine.dataOperations())) {
                worked.run();
            }
            if (running.isEmpty()) {
                return;
            }
            if (!Instant.now().isBefore(deadline)) {
                Log.warnf("%d searches or writes that were running at the swap still run after %s: deleting the"
                        + " retired indices anyway", running.size(), timeout);
                return;
            }
            SearchEngine.pause(POLL);
        }
    }
}
