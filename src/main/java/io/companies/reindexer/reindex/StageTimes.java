package io.companies.reindexer.reindex;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Wall time a run spends in each stage, logged at its end (the benchmark reads that line). Not thread-safe. */
final class StageTimes {

    private final Map<String, Long> nanos = new LinkedHashMap<>();

    /** Adds the time since {@code startNanos} (a {@link System#nanoTime()}) to {@code stage}; returns now. */
    long add(String stage, long startNanos) {
        long now = System.nanoTime();
        nanos.merge(stage, now - startNanos, Long::sum);
        return now;
    }

    @Override
    public String toString() {
        return nanos.entrySet().stream().map(entry -> entry.getKey() + " " + entry.getValue() / 1_000_000 + " ms")
                .collect(Collectors.joining(", "));
    }
}
