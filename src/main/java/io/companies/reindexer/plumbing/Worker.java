package io.companies.reindexer.plumbing;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A thread of its own that does one job in passes: each pass says how long to wait before the next, a wake-up ends
 * the wait early, and a stop ends the loop after the pass under way. It owns the thread, the wake-up, the stop flag and
 * the start and stop, so that a background loop of the service says only what one pass does. Wake-ups that come during
 * a pass or a wait make one early pass, not one each (as Hibernate Search's {@code SingletonTask} runs once more for
 * any number of schedulings during a run).
 */
public final class Worker {

    /** How long a pass may ask to wait: until woken or stopped. */
    public static final Duration UNTIL_WOKEN = Duration.ofMillis(Long.MAX_VALUE);

    /** One pass of the loop. */
    public interface Pass {
        /**
         * @return how long to wait for a wake-up before the next pass; zero starts it at once
         * @throws InterruptedException to end the loop at once, without {@code last}
         */
        Duration run() throws InterruptedException;
    }

    private final Semaphore wakeUp = new Semaphore(0);
    private final Thread thread;
    private volatile boolean stopping;

    /** A thread named {@code name} that runs {@code pass} until stopped, once {@link #start()}ed. */
    public Worker(String name, boolean daemon, Pass pass) {
        this(name, daemon, pass, () -> {
        });
    }

    /**
     * A thread named {@code name} that runs {@code pass} until stopped, then {@code last} once (what is left to do before
     * the thread ends, such as flushing), once {@link #start()}ed.
     */
    public Worker(String name, boolean daemon, Pass pass, Runnable last) {
        thread = Thread.ofPlatform().name(name).daemon(daemon).unstarted(() -> loop(pass, last));
    }

    /** Starts the thread: made before, the worker can be woken before it starts, which its first pass then serves. */
    public void start() {
        thread.start();
    }

    private void loop(Pass pass, Runnable last) {
        while (!stopping) {
            Duration wait;
            try {
                wait = pass.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!wait.isZero() && !pause(wait)) {
                return;
            }
        }
        last.run();
    }

    /** Ends the wait between passes, or a {@link #pause}, now; several before the next wait end it once. */
    public void wake() {
        wakeUp.release();
    }

    /**
     * Waits, on the worker's own thread, for {@code time} or until woken or stopped.
     *
     * @return false when interrupted (the flag kept): the thread is to end
     */
    public boolean pause(Duration time) {
        try {
            wakeUp.tryAcquire(time.toMillis(), TimeUnit.MILLISECONDS);
            wakeUp.drainPermits();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether a stop was asked: the pass under way checks it to end early. */
    public boolean isStopping() {
        return stopping;
    }

    /** Whether the thread still runs, or was asked to stop: it ends only when stopped. */
    public boolean isAlive() {
        return stopping || thread.isAlive();
    }

    public String name() {
        return thread.getName();
    }

    /** Asks the loop to end after the pass under way, waking it from its wait; {@link #awaitStop} waits for it. */
    public void requestStop() {
        stopping = true;
        wakeUp.release();
    }

    /** @return whether the thread ended within {@code time} */
    public boolean awaitStop(Duration time) throws InterruptedException {
        return thread.join(time);
    }

    /** {@link #requestStop()} and {@link #awaitStop}: a graceful stop, the pass under way finished. */
    public boolean stop(Duration time) throws InterruptedException {
        requestStop();
        return awaitStop(time);
    }

    /** Stops without waiting for the pass under way: the thread is interrupted, which ends the pass at its next wait. */
    public void stopNow() {
        stopping = true;
        thread.interrupt();
    }
}
