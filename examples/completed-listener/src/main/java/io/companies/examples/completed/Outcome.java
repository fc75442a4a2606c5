package io.companies.examples.completed;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A {@code reindex-completed} value (shared/spec/events.md; schema: the service's
 * {@code /events/schemas/reindex-completed.value.schema.json}). Unknown fields are ignored, so a field the service adds
 * later breaks nothing.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Outcome(
        String requestId,
        Status status,
        String alias,
        String index,
        List<String> previousIndices,
        List<String> deletedIndices,
        Long documents,
        Instant startedAt,
        Instant completedAt,
        long durationMs,
        String error) {

    public enum Status {
        COMPLETED,
        FAILED,
        SKIPPED,
        REJECTED
    }
}
