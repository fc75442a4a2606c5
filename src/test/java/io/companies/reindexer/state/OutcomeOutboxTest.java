package io.companies.reindexer.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import io.companies.reindexer.contract.ReindexCompleted;
import io.companies.reindexer.state.OutcomeOutbox.Pending;
import io.companies.reindexer.testing.FeatureFlagOff;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox against the real PostgreSQL, shared by two deployments of other aliases than the running service's (whose
 * relay therefore leaves their rows alone): each claims only its own outcomes, including a rejection that names
 * another alias, and a claimed outcome is not claimed again until released; the depth counts what waits.
 */
@QuarkusTest
@TestProfile(FeatureFlagOff.class)
class OutcomeOutboxTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    @Inject
    OutcomeOutbox outbox;

    private final List<Long> claimed = new ArrayList<>();

    @AfterEach
    void deleteClaimed() {
        claimed.forEach(outbox::delete);
    }

    @Test
    void aDeploymentClaimsOnlyTheOutcomesOfItsOwnAlias() {
        String skipped = UUID.randomUUID().toString();
        String rejected = UUID.randomUUID().toString();
        outbox.record("outbox-test-a", ReindexCompleted.skipped(skipped, "outbox-test-a", Instant.now()));
        outbox.record("outbox-test-b",
                ReindexCompleted.rejected(rejected, "outbox-test-a", Instant.now(), "alias outbox-test-a is not ours"));

        List<Pending> ofA = claim("outbox-test-a");
        List<Pending> ofB = claim("outbox-test-b");

        assertThat(ofA).extracting(Pending::requestId).containsExactly(skipped);
        assertThat(ofB).as("the rejection belongs to the deployment that decided it").extracting(Pending::requestId)
                .containsExactly(rejected);
        assertThat(claim("outbox-test-a")).as("claimed already").isEmpty();

        outbox.release(ofA.getFirst().id());
        assertThat(claim("outbox-test-a")).extracting(Pending::requestId).containsExactly(skipped);
    }

    /** The dashboard's outbox depth: every outcome of the alias not published yet, claimed or not. */
    @Test
    void theDepthCountsTheOutcomesWaitingForTheirAlias() {
        long before = outbox.depth("outbox-test-depth");
        outbox.record("outbox-test-depth", ReindexCompleted.skipped(UUID.randomUUID().toString(), "outbox-test-depth",
                Instant.now()));
        outbox.record("outbox-test-depth", ReindexCompleted.skipped(UUID.randomUUID().toString(), "outbox-test-depth",
                Instant.now()));
        outbox.record("outbox-test-other", ReindexCompleted.skipped(UUID.randomUUID().toString(), "outbox-test-other",
                Instant.now()));
        claim("outbox-test-other");
        List<Pending> pending = claim("outbox-test-depth");
        assertThat(outbox.depth("outbox-test-depth")).as("claimed, not published").isEqualTo(before + 2);

        outbox.delete(pending.getFirst().id());
        assertThat(outbox.depth("outbox-test-depth")).as("one published").isEqualTo(before + 1);
    }

    private List<Pending> claim(String alias) {
        List<Pending> pending = outbox.claim(alias, 10, LEASE);
        pending.forEach(row -> claimed.add(row.id()));
        return pending;
    }
}
