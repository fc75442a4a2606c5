package io.companies.reindexer.plumbing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.MDC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;

/** The run's fields are in the MDC while it runs, on the threads it hands work to too, and gone once it ended. */
class RunMdcTest {

    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void clear() throws InterruptedException {
        MDC.clear();
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aRunsFieldsAreThereUntilItEnds() {
        try (RunMdc run = RunMdc.run(7, List.of("a", "b"), "companies", "companies-x")) {
            assertThat(MDC.get("runId")).isEqualTo("7");
            assertThat(MDC.get("requestId")).isEqualTo("a,b");
            assertThat(MDC.get("alias")).isEqualTo("companies");
            assertThat(MDC.get("index")).isEqualTo("companies-x");
            assertThat(MDC.get("slice")).isNull();
        }
        assertThat(MDC.getMap()).isEmpty();
    }

    @Test
    void aPassPutsBackWhatTheThreadHeldBefore() {
        MDC.put("runId", "6");
        MDC.put("other", "kept");
        try (RunMdc pass = RunMdc.slice(7, List.of("a"), "companies", "companies-x", 3, 1)) {
            assertThat(MDC.get("runId")).isEqualTo("7");
            assertThat(MDC.get("slice")).isEqualTo("3");
            assertThat(MDC.get("pass")).isEqualTo("1");
        }
        assertThat(MDC.getMap()).containsOnly(entry("runId", "6"), entry("other", "kept"));
    }

    @Test
    void aTracedRunNamesItsTraceAndSpanAnUntracedOneNothing() {
        SpanContext traced = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getSampled(), TraceState.getDefault());
        try (RunMdc trace = RunMdc.trace(traced)) {
            assertThat(MDC.getMap()).containsOnly(entry("traceId", "0af7651916cd43dd8448eb211c80319c"),
                    entry("spanId", "b7ad6b7169203331"));
        }
        assertThat(MDC.getMap()).isEmpty();
        try (RunMdc trace = RunMdc.trace(SpanContext.getInvalid())) {
            assertThat(MDC.getMap()).as("tracing off").isEmpty();
        }
    }

    @Test
    void aCarriedTaskRunsWithTheSubmittersFieldsAndLeavesNone() throws Exception {
        // The pool's thread is made before any field is set: it inherits none.
        assertThat(pool.submit(() -> MDC.get("runId")).get()).isNull();
        try (RunMdc pass = RunMdc.slice(7, List.of("a"), "companies", "companies-x", 3, 0)) {
            Object[] seen = new Object[2];
            pool.submit(RunMdc.carried(() -> {
                seen[0] = MDC.get("runId");
                seen[1] = MDC.get("slice");
            })).get();
            assertThat(seen).containsExactly("7", "3");
        }
        assertThat(pool.submit(() -> MDC.getMap()).get()).as("the sender's fields once the task is done").isEmpty();
    }
}
