package io.companies.reindexer.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.companies.reindexer.plumbing.Backoff;

import io.quarkus.logging.Log;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A freshly created index on its way to replace the one behind the alias. Closing it deletes it unless the alias
 * moved to it, so a failed run never leaves a partial index behind and never touches the alias; when the engine's
 * answer to the swap was lost and cannot be read back, the index is left for the repair to judge. From its creation it
 * records in its mapping's {@code _meta} the {@link DefinitionStamp} of the build that makes it.
 */
public final class NewIndex {

    /** Key of the {@code _meta} flag that marks an index a run filled completely and verified. */
    static final String META_COMPLETE = "complete";
    private static final int MAX_FLUSHES = 3;
    /** Longest single wait for replicas on the engine: short enough to report their progress as they recover. */
    private static final Duration HEALTH_WAIT = Duration.ofSeconds(10);

    private enum Swap {
        NOT_DONE,
        DONE,
        UNKNOWN
    }

    private final SearchEngine engine;
    private final String name;
    private final DefinitionStamp stamp;
    private Swap swap = Swap.NOT_DONE;

    private NewIndex(SearchEngine engine, String name, DefinitionStamp stamp) {
        this.engine = engine;
        this.name = name;
        this.stamp = stamp;
    }

    /** Creates the index, without any alias, stamped with the definition it is built from. */
    public static NewIndex create(SearchEngine engine, IndexDefinition definition, DefinitionStamp stamp, String name)
            throws IOException {
        ObjectNode body = definition.forLoading();
        stamp.writeTo(((ObjectNode) body.get("mappings")).putObject("_meta"));
        engine.createIndex(name, body);
        return new NewIndex(engine, name, stamp);
    }

    /**
     * The index of a run that is resumed: it exists already, filled in part, by the build of {@code stamp} (a run is
     * only resumed by the build that started it).
     *
     * @throws IllegalStateException when it is gone
     */
    public static NewIndex resumed(SearchEngine engine, String name, DefinitionStamp stamp) {
        try {
            if (!engine.exists(name)) {
                throw new IllegalStateException("Index " + name + " of the run to resume is gone");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to find index " + name + " of the run to resume", e);
        }
        return new NewIndex(engine, name, stamp);
    }

    public String name() {
        return name;
    }

    /**
     * Gives the filled index its final settings, makes every document searchable and checks that it holds exactly
     * {@code expected} documents. Then makes it durable before it goes live: its segments are committed and every
     * replica its settings ask for is active, so losing an engine node right after the swap loses nothing that only
     * the retired index held; and counts again. Last, it is marked complete, its stamp with it.
     *
     * @param activeShardsTimeout how long to wait for the replicas
     * @param worked told after each step and whenever replicas make progress, so that a long settle on a large index
     *        is not taken for a stall
     * @return the number of documents in the index
     */
    public long settle(IndexDefinition definition, long expected, Duration activeShardsTimeout, Runnable worked)
            throws IOException {
        engine.updateSettings(name, definition.settled());
        engine.refresh(name);
        worked.run();
        // Read before the count: a shard that loses operations after this has a lower highest sequence number.
        Map<Integer, Long> maxSeqNos = engine.maxSeqNos(name);
        long count = engine.count(name);
        if (count != expected) {
            throw new IllegalStateException("Index " + name + " holds " + count + " documents, " + expected + " were sent");
        }
        makeDurable(worked);
        awaitReplicas(definition, activeShardsTimeout, worked);
        // Counted again once durable: a node lost between the first count and the flush (async translog, a shard
        // without a replica yet) can have dropped writes that were counted. A lost update or a lost write paired with
        // another leaves the count as it was, not the shard's highest sequence number.
        engine.refresh(name);
        long durable = engine.count(name);
        Map<Integer, Long> durableSeqNos = engine.maxSeqNos(name);
        if (durable != count || !durableSeqNos.equals(maxSeqNos)) {
            throw new IllegalStateException("Index " + name + " held " + count + " documents (highest sequence number"
                    + " by shard " + maxSeqNos + "), but " + durable + " (" + durableSeqNos + ") once durable: writes"
                    + " were lost on the way (an engine node lost?)");
        }
        Log.infof("Index %s: %d documents, flushed, health green with %s replica(s) per shard", name, count,
                definition.replicasLabel());
        // A mapping update replaces the whole _meta: the stamp goes with the mark.
        ObjectNode meta = JsonNodeFactory.instance.objectNode().put(META_COMPLETE, true).put("documents", count);
        stamp.writeTo(meta);
        engine.putMeta(name, meta);
        return count;
    }

    /**
     * Waits until every replica is active, in short waits on the engine, each within the client's timeouts, up to
     * {@code timeout} in all; fails at once when the cluster has fewer data nodes than the replicas need.
     */
    private void awaitReplicas(IndexDefinition definition, Duration timeout, Runnable worked) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        List<Long> lastWork = List.of();
        while (true) {
            Duration left = Duration.between(Instant.now(), deadline);
            SearchEngine.Health health = engine.health(name, left.isNegative() ? Duration.ZERO
                    : left.compareTo(HEALTH_WAIT) < 0 ? left : HEALTH_WAIT);
            definition.checkPlaceable(health.dataNodes());
            if (health.green()) {
                return;
            }
            if (!Instant.now().isBefore(deadline)) {
                throw new IllegalStateException("Index " + name + " did not get the " + definition.replicasLabel()
                        + " replica(s) per shard its settings ask for within " + timeout + " (health "
                        + health.status() + "); add engine nodes, or lower reindex.index.replicas, or raise"
                        + " reindex.index.active-shards-timeout");
            }
            List<Long> work = List.of((long) health.activeShards(), engine.recoveringBytes(name));
            if (!work.equals(lastWork)) {
                worked.run();
                lastWork = work;
            }
        }
    }

    /**
     * Flushes until the translog holds nothing the last commit lacks. A first flush of a freshly loaded index commits
     * every document, but both engines keep its translog until that commit is safe, which a second flush finds.
     */
    private void makeDurable(Runnable worked) throws IOException {
        for (int flush = 1; flush <= MAX_FLUSHES; flush++) {
            engine.flush(name);
            worked.run();
            if (engine.uncommittedOperations(name) == 0) {
                return;
            }
        }
        throw new IllegalStateException("Index " + name + " still has uncommitted operations after " + MAX_FLUSHES
                + " flushes: something else writes to it");
    }

    /**
     * Points {@code alias} to this index alone in one atomic {@code _aliases} request: searchers see either the old
     * index or the new one, never a mix or nothing. {@code beforeSwap} gets the plan first; throwing leaves the alias
     * where it is. An unclear answer is not taken as a failure: the alias is read back, and the request is sent again
     * only if the alias has not moved.
     *
     * @throws SwapOutcomeUnknownException when the alias could not be read back after an unclear answer
     */
    public AliasSwap promote(String alias, IndexNames names, int retention, int maxRetries, Duration initialBackoff,
            Consumer<AliasSwap> beforeSwap) throws IOException {
        AliasSwap plan = AliasSwap.plan(alias, name, engine.aliasTargets(alias), engine.indices(names.wildcard()),
                names, retention);
        beforeSwap.accept(plan);
        Backoff backoff = Backoff.uncapped(initialBackoff);
        for (int attempt = 0;; attempt++) {
            try {
                swap = Swap.UNKNOWN;
                boolean acknowledged = engine.updateAliases(plan.actions());
                swap = Swap.DONE;
                return acknowledged ? plan.acknowledgedByEveryNode() : plan;
            } catch (IOException e) {
                List<String> targets = readBack(alias, e);
                if (targets.equals(List.of(name))) {
                    Log.warnf("The answer to the swap of alias %s was lost (%s), but the alias points to %s: swapped",
                            alias, e.toString(), name);
                    swap = Swap.DONE;
                    return plan;
                }
                swap = Swap.NOT_DONE;
                boolean unmoved = new HashSet<>(targets).equals(new HashSet<>(plan.previous()));
                if (!unmoved || !SearchEngine.isUnclear(e) || attempt == maxRetries) {
                    throw new IOException("The alias " + alias + " was not moved to " + name + "; it points to "
                            + targets + ": " + e.getMessage(), e);
                }
                Duration wait = backoff.next();
                Log.warnf("Swap of alias %s: %s, and the alias has not moved; sending it again in %s", alias,
                        e.toString(), wait);
                SearchEngine.pause(wait);
            }
        }
    }

    private List<String> readBack(String alias, IOException swapFailure) throws SwapOutcomeUnknownException {
        try {
            return engine.aliasTargets(alias);
        } catch (IOException e) {
            e.addSuppressed(swapFailure);
            throw new SwapOutcomeUnknownException("The swap of alias " + alias + " to " + name + " got no clear answer ("
                    + swapFailure.getMessage() + ") and the alias could not be read back: " + e.getMessage(), e);
        }
    }

    /** Deletes the index of a failed run, unless the alias moved to it, or may have. */
    public void deleteUnlessSwapped() {
        switch (swap) {
            case DONE -> {
            }
            case UNKNOWN -> Log.warnf("Index %s kept: whether the alias moved to it is unknown; the repair decides", name);
            case NOT_DONE -> {
                Log.infof("Deleting index %s, which was not swapped in", name);
                try {
                    engine.deleteIndex(name);
                } catch (IOException e) {
                    throw new UncheckedIOException("Failed to delete index " + name + " after a failed run", e);
                }
            }
        }
    }

    /** The alias may or may not have moved to the new index: only reading it back later can tell. */
    public static final class SwapOutcomeUnknownException extends IOException {
        SwapOutcomeUnknownException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
