package io.companies.reindexer.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;

import io.companies.reindexer.contract.ReindexRequested;

import org.junit.jupiter.api.Test;

/** The request of a schedule's tick: the same for every instance that fires on that tick, another for the next. */
class ScheduledRebuildTest {

    private static final Instant TICK = Instant.parse("2026-12-07T03:00:00Z");

    @Test
    void oneRequestPerTick() {
        ReindexRequested request = ScheduledRebuild.requestOf("companies", TICK);

        assertThat(request.alias()).isEqualTo("companies");
        assertThat(request.requestedBy()).isEqualTo("reindexer:schedule");
        assertThat(request.requestedAt()).isEqualTo("2026-12-07T03:00:00Z");
        assertThat(request.force()).isFalse();
        assertThat(UUID.fromString(request.requestId()).version()).isEqualTo(5);
        assertThat(ScheduledRebuild.requestOf("companies", TICK.plusMillis(999))).as("the same tick")
                .isEqualTo(request);
        assertThat(ScheduledRebuild.requestOf("companies", TICK.plusSeconds(1)).requestId()).as("the next tick")
                .isNotEqualTo(request.requestId());
        assertThat(ScheduledRebuild.requestOf("other", TICK).requestId()).as("another alias")
                .isNotEqualTo(request.requestId());
    }
}
