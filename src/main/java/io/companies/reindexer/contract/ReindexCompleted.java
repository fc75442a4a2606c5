package io.companies.reindexer.contract;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.annotation.JsonFormat;

/**
 * The outcome of one request, published on {@code reindex-completed} with the request id as key. Field by field as
 * {@code shared/spec/events.md} defines it.
 */
@RegisterForReflection
public record ReindexCompleted(
        String requestId,
        Status status,
        String alias,
        String index,
        List<String> previousIndices,
        List<String> deletedIndices,
        List<String> keptIndices,
        Long documents,
        @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = MILLIS, timezone = "UTC") Instant startedAt,
        @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = MILLIS, timezone = "UTC") Instant completedAt,
        long durationMs,
        String error) {

    static final String MILLIS = "yyyy-MM-dd'T'HH:mm:ss.SSSX";

    public enum Status {
        COMPLETED,
        FAILED,
        SKIPPED,
        REJECTED
    }

    /** @param keptIndices indices the run retired but left in place, because they carry another alias */
    public static ReindexCompleted completed(String requestId, String alias, String index, List<String> previousIndices,
            List<String> deletedIndices, List<String> keptIndices, long documents, Instant startedAt,
            Instant completedAt) {
        return of(requestId, Status.COMPLETED, alias, index, previousIndices, deletedIndices, keptIndices, documents,
                startedAt, completedAt, null);
    }

    /** @param index the index the failed run created and removed again, null when it failed before creating one */
    public static ReindexCompleted failed(String requestId, String alias, String index, Instant startedAt,
            Instant completedAt, String error) {
        return of(requestId, Status.FAILED, alias, index, List.of(), List.of(), List.of(), null, startedAt, completedAt,
                error);
    }

    public static ReindexCompleted skipped(String requestId, String alias, Instant at) {
        return of(requestId, Status.SKIPPED, alias, null, List.of(), List.of(), List.of(), null, at, at,
                "Reindexing is switched off by configuration (reindex.enabled=false)");
    }

    public static ReindexCompleted rejected(String requestId, String alias, Instant at, String error) {
        return of(requestId, Status.REJECTED, alias, null, List.of(), List.of(), List.of(), null, at, at, error);
    }

    private static ReindexCompleted of(String requestId, Status status, String alias, String index,
            List<String> previousIndices, List<String> deletedIndices, List<String> keptIndices, Long documents,
            Instant startedAt, Instant completedAt, String error) {
        // Timestamps are published in milliseconds, so the duration is computed from the truncated values; never
        // below 0, even if the clock that read them was set back in between.
        Instant started = startedAt.truncatedTo(ChronoUnit.MILLIS);
        Instant completed = completedAt.truncatedTo(ChronoUnit.MILLIS);
        return new ReindexCompleted(requestId, status, alias, index, previousIndices, deletedIndices, keptIndices,
                documents, started, completed, Math.max(0, Duration.between(started, completed).toMillis()), error);
    }
}
