package io.companies.reindexer.reindex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.companies.reindexer.messaging.OutcomePublisher;
import io.companies.reindexer.messaging.ReindexCompleted;
import io.companies.reindexer.messaging.ReindexCompleted.Status;
import io.companies.reindexer.messaging.ReindexRequested;

class ReindexCoordinatorTest {

    private record Config(boolean enabled, String alias) implements ReindexConfig {
        @Override
        public int retention() {
            return 0;
        }

        @Override
        public Index index() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Bulk bulk() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Source source() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Topics topics() {
            throw new UnsupportedOperationException();
        }
    }

    /** Runs that block until released, so the test decides when each one ends. */
    private static final class GatedReindexer extends Reindexer {
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        volatile CountDownLatch gate = new CountDownLatch(1);
        volatile CountDownLatch started = new CountDownLatch(1);
        volatile boolean fail;

        @Override
        public RunResult run(String runId) {
            int run = runs.incrementAndGet();
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            try {
                started.countDown();
                gate.await(10, TimeUnit.SECONDS);
                if (fail) {
                    throw new ReindexException("Failed to index companies into companies-run" + run + ": boom",
                            "companies-run" + run, null);
                }
                return new RunResult("companies-run" + run, List.of(), List.of(), 100 + run);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                concurrent.decrementAndGet();
            }
        }
    }

    private static final class RecordingPublisher extends OutcomePublisher {
        final List<ReindexCompleted> published = new CopyOnWriteArrayList<>();

        @Override
        public void publish(ReindexCompleted outcome) {
            published.add(outcome);
        }
    }

    private final GatedReindexer reindexer = new GatedReindexer();
    private final RecordingPublisher publisher = new RecordingPublisher();
    private final ReindexCoordinator coordinator = coordinator(true);

    private ReindexCoordinator coordinator(boolean enabled) {
        ReindexCoordinator coordinator = new ReindexCoordinator();
        coordinator.config = new Config(enabled, "companies");
        coordinator.reindexer = reindexer;
        coordinator.publisher = publisher;
        return coordinator;
    }

    @AfterEach
    void stop() throws InterruptedException {
        reindexer.gate.countDown();
        coordinator.stop();
    }

    private static ReindexRequested request(String id) {
        return new ReindexRequested(id, null, "test", null);
    }

    private Optional<ReindexCompleted> outcomeOf(String id) {
        return publisher.published.stream().filter(outcome -> outcome.requestId().equals(id)).findFirst();
    }

    private List<ReindexCompleted> awaitOutcomes(int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.published.size() >= count);
        return publisher.published;
    }

    @Test
    void submitHandsTheRequestOverAndReturnsWhileTheRunGoesOn() throws Exception {
        coordinator.submit(request("r1"));

        assertThat(reindexer.started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(publisher.published).isEmpty();
        reindexer.gate.countDown();
        assertThat(awaitOutcomes(1).getFirst().status()).isEqualTo(Status.COMPLETED);
    }

    @Test
    void requestsDuringARunAreServedTogetherByOneFollowUpRunNeverConcurrently() throws Exception {
        coordinator.submit(request("r1"));
        reindexer.started.await(10, TimeUnit.SECONDS);
        coordinator.submit(request("r2"));
        coordinator.submit(request("r3"));
        coordinator.submit(request("r2"));
        reindexer.gate.countDown();

        awaitOutcomes(3);
        Thread.sleep(200); // a fourth outcome would be a defect: give it the chance to show
        assertThat(publisher.published).extracting(ReindexCompleted::requestId).containsExactly("r1", "r2", "r3");
        assertThat(outcomeOf("r1").orElseThrow().index()).isEqualTo("companies-run1");
        assertThat(outcomeOf("r2").orElseThrow().index()).isEqualTo("companies-run2");
        assertThat(outcomeOf("r3").orElseThrow().index()).isEqualTo("companies-run2");
        assertThat(reindexer.runs).hasValue(2);
        assertThat(reindexer.maxConcurrent).hasValue(1);
    }

    @Test
    void aRequestIdWithAnOutcomeGetsItAgainWithoutARun() {
        reindexer.gate.countDown();
        coordinator.submit(request("r1"));
        ReindexCompleted first = awaitOutcomes(1).getFirst();

        coordinator.submit(request("r1"));

        assertThat(awaitOutcomes(2).get(1)).isSameAs(first);
        assertThat(reindexer.runs).hasValue(1);
    }

    @Test
    void aFailedRunGivesEveryWaitingRequestAFailedOutcomeNamingTheRemovedIndex() {
        reindexer.fail = true;
        reindexer.gate.countDown();
        coordinator.submit(request("r1"));

        ReindexCompleted outcome = awaitOutcomes(1).getFirst();
        assertThat(outcome.status()).isEqualTo(Status.FAILED);
        assertThat(outcome.index()).isEqualTo("companies-run1");
        assertThat(outcome.documents()).isNull();
        assertThat(outcome.error()).contains("boom");
    }

    @Test
    void invalidValuesAreRejectedBeforeTheFlagIsConsultedAndNeverRun() throws InterruptedException {
        ReindexCoordinator flagOff = coordinator(false);
        flagOff.submit(new ReindexRequested("bad", "suppliers", null, null));
        flagOff.submit(new ReindexRequested("late", null, null, "yesterday"));
        flagOff.submit(request("off"));
        flagOff.stop();

        assertThat(publisher.published).extracting(ReindexCompleted::status)
                .containsExactly(Status.REJECTED, Status.REJECTED, Status.SKIPPED);
        assertThat(reindexer.runs).hasValue(0);
    }
}
