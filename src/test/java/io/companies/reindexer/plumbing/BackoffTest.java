package io.companies.reindexer.plumbing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void eachWaitIsBetweenHalfAndAllOfAStepThatDoubles() {
        Set<Duration> firsts = new HashSet<>();
        for (int draw = 0; draw < 200; draw++) {
            Backoff backoff = Backoff.from(Duration.ofSeconds(1));
            for (long step = 1000; step <= 16_000; step *= 2) {
                Duration wait = backoff.next();
                assertThat(wait).isBetween(Duration.ofMillis(step / 2), Duration.ofMillis(step));
                if (step == 1000) {
                    firsts.add(wait);
                }
            }
        }
        assertThat(firsts).as("jitter: instances that failed together do not come back together").hasSizeGreaterThan(50);
    }

    @Test
    void aCallTriedForAsLongAsItFailsWaitsAtMostThirtySeconds() {
        Backoff backoff = Backoff.from(Duration.ofMillis(500));
        for (int attempt = 0; attempt < 10; attempt++) {
            backoff.next();
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            assertThat(backoff.next()).isBetween(Backoff.LONGEST.dividedBy(2), Backoff.LONGEST);
        }
    }

    @Test
    void aCallTriedABoundedNumberOfTimesKeepsDoubling() {
        Backoff backoff = Backoff.uncapped(Duration.ofMillis(500));
        for (int attempt = 0; attempt < 8; attempt++) {
            backoff.next();
        }
        // The ninth wait: a step of 500 ms doubled eight times, 128 s.
        assertThat(backoff.next()).isBetween(Duration.ofSeconds(64), Duration.ofSeconds(128));
    }

    @Test
    void aStopEndsAWaitAtOnce() throws InterruptedException {
        AtomicReference<Worker> self = new AtomicReference<>();
        Worker worker = new Worker("backoff-test", true, () -> {
            Backoff backoff = Backoff.from(Duration.ofMinutes(10));
            self.get().pause(backoff.next());
            return Duration.ZERO;
        });
        self.set(worker);
        worker.start();
        Thread.sleep(100);
        long start = System.nanoTime();
        assertThat(worker.stop(Duration.ofSeconds(5))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
}
