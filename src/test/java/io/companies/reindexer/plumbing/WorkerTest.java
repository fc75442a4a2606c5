package io.companies.reindexer.plumbing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerTest {

    private static final Duration AN_HOUR = Duration.ofHours(1);

    private final AtomicInteger passes = new AtomicInteger();
    private final AtomicInteger lasts = new AtomicInteger();
    private Worker worker;

    @AfterEach
    void stopTheWorker() {
        if (worker != null) {
            worker.stopNow();
        }
    }

    private void start(Worker.Pass pass) {
        worker = new Worker("worker-test", true, pass, lasts::incrementAndGet);
        worker.start();
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 5 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void aWakeUpEndsTheWaitBeforeThePollInterval() throws InterruptedException {
        start(() -> {
            passes.incrementAndGet();
            return AN_HOUR;
        });
        awaitTrue(() -> passes.get() == 1);
        worker.wake();
        awaitTrue(() -> passes.get() == 2);
    }

    @Test
    void wakeUpsDuringAPassMakeOneMorePass() throws InterruptedException {
        CountDownLatch inPass = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        start(() -> {
            if (passes.incrementAndGet() == 1) {
                inPass.countDown();
                goOn.await();
            }
            return AN_HOUR;
        });
        inPass.await();
        worker.wake();
        worker.wake();
        worker.wake();
        goOn.countDown();
        awaitTrue(() -> passes.get() == 2);
        Thread.sleep(300);
        assertThat(passes).hasValue(2);
    }

    @Test
    void aWakeUpBeforeTheStartIsServedByTheFirstWait() throws InterruptedException {
        worker = new Worker("worker-test", true, () -> {
            passes.incrementAndGet();
            return AN_HOUR;
        });
        worker.wake();
        worker.start();
        awaitTrue(() -> passes.get() == 2);
    }

    @Test
    void aPassThatAsksNoWaitIsFollowedAtOnce() throws InterruptedException {
        start(() -> passes.incrementAndGet() < 3 ? Duration.ZERO : AN_HOUR);
        awaitTrue(() -> passes.get() == 3);
    }

    @Test
    void aStopLetsThePassUnderWayFinishThenRunsTheLastStepOnce() throws InterruptedException {
        CountDownLatch inPass = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        start(() -> {
            inPass.countDown();
            Thread.sleep(200);
            finished.incrementAndGet();
            return AN_HOUR;
        });
        inPass.await();
        assertThat(worker.stop(Duration.ofSeconds(5))).isTrue();
        assertThat(finished).hasValue(1);
        assertThat(lasts).hasValue(1);
        assertThat(worker.isStopping()).isTrue();
        assertThat(worker.isAlive()).as("stopped on purpose, not dead").isTrue();
    }

    @Test
    void aStopThatTakesLongerThanItsWaitIsReported() throws InterruptedException {
        CountDownLatch inPass = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        start(() -> {
            inPass.countDown();
            goOn.await();
            return AN_HOUR;
        });
        inPass.await();
        assertThat(worker.stop(Duration.ofMillis(100))).isFalse();
        goOn.countDown();
        assertThat(worker.awaitStop(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void aStopNowInterruptsThePassWithoutTheLastStep() throws InterruptedException {
        CountDownLatch inPass = new CountDownLatch(1);
        start(() -> {
            inPass.countDown();
            Thread.sleep(AN_HOUR);
            return AN_HOUR;
        });
        inPass.await();
        worker.stopNow();
        assertThat(worker.awaitStop(Duration.ofSeconds(5))).isTrue();
        assertThat(lasts).hasValue(0);
    }

    @Test
    void aThreadThatDiedIsNotAlive() throws InterruptedException {
        start(() -> {
            throw new IllegalStateException("a bug in the pass");
        });
        assertThat(worker.awaitStop(Duration.ofSeconds(5))).isTrue();
        assertThat(worker.isAlive()).isFalse();
    }
}
