package io.companies.reindexer.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What the outcome computes itself: its timestamps in milliseconds, and a duration that is never negative. */
class ReindexCompletedTest {

    private static final Instant STARTED = Instant.parse("2026-12-07T10:00:00.123456Z");

    @Test
    void theDurationIsTheDifferenceOfThePublishedTimestamps() {
        ReindexCompleted outcome = ReindexCompleted.completed("r", "companies", "companies-x", List.of(), List.of(),
                List.of(), 10, STARTED, STARTED.plusMillis(1_500).plusNanos(900_000));

        assertThat(outcome.startedAt()).isEqualTo(Instant.parse("2026-12-07T10:00:00.123Z"));
        assertThat(outcome.durationMs()).isEqualTo(1_501);
    }

    @Test
    void anEndReadFromAClockBehindTheStartGivesNoNegativeDuration() {
        ReindexCompleted outcome = ReindexCompleted.failed("r", "companies", null, STARTED, STARTED.minusMillis(40),
                "a reason");

        assertThat(outcome.durationMs()).isZero();
    }
}
