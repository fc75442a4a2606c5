package io.companies.reindexer.reindex;

import java.io.IOException;
import java.util.List;

import io.companies.reindexer.index.SearchEngine;

import io.quarkus.logging.Log;

/**
 * Refuses to swap in an index that holds far fewer documents than the one the alias points to: a source that lost most
 * of its published companies at once (a migration unpublished them, the service reads an empty replica) is more likely
 * wrong than right, and a swap would empty search "successfully". A first run (no alias yet) is never stopped, a share
 * of 0 switches the guard off, and a forced run swaps anyway.
 */
final class ShrinkGuard {

    private static final String SETTING = "reindex.swap.min-ratio";

    private final SearchEngine engine;
    private final String alias;
    private final double minRatio;
    private final Runnable refused;

    /**
     * @param minRatio the least share of the live index's documents a new index must hold, from 0 to 1
     * @param refused told of each swap refused, for the metrics
     */
    ShrinkGuard(SearchEngine engine, String alias, double minRatio, Runnable refused) {
        this.engine = engine;
        this.alias = alias;
        this.minRatio = minRatio;
        this.refused = refused;
    }

    /**
     * Compares {@code documents}, what the new index holds, with what the indices behind the alias hold now.
     *
     * @param force whether a request of the run lets it swap anyway
     * @param label names the run in the logs
     * @throws IllegalStateException when the new index holds too few and the run is not forced
     */
    void check(String index, long documents, boolean force, String label) throws IOException {
        if (minRatio == 0) {
            return; // off: not even a count
        }
        List<String> live = engine.aliasTargets(alias);
        Long liveDocuments = live.isEmpty() ? null : engine.count(alias);
        if (!refuses(minRatio, documents, liveDocuments)) {
            return;
        }
        if (force) {
            Log.warnf("Run %s: index %s holds %d documents, fewer than %s (%s) of the %d in %s, and a request of"
                    + " the run says force: swapping anyway", label, index, documents, minRatio, SETTING, liveDocuments,
                    live);
            return;
        }
        refused.run();
        String refusal = refusal(index, documents, live, liveDocuments, minRatio, alias);
        Log.warnf("Run %s: swap refused by the shrink guard: %s", label, refusal);
        throw new IllegalStateException(refusal);
    }

    /**
     * Whether {@code documents} are fewer than {@code minRatio} of {@code liveDocuments}: never on a first run (null:
     * no index behind the alias), nor with a share of 0.
     */
    static boolean refuses(double minRatio, long documents, Long liveDocuments) {
        return liveDocuments != null && documents < minRatio * liveDocuments;
    }

    static String refusal(String index, long documents, List<String> live, long liveDocuments, double minRatio,
            String alias) {
        return "Index " + index + " holds " + documents + " documents, fewer than " + minRatio + " (" + SETTING
                + ") of the " + liveDocuments + " in " + String.join(", ", live) + ", which alias " + alias
                + " points to: the alias was not moved. If the source lost those companies on purpose, request the"
                + " rebuild again with \"force\": true, or lower " + SETTING + " (0 switches the guard off)";
    }
}
