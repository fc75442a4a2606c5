package io.companies.reindexer.plumbing;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The waits between tries of one call: a step that doubles from a first one up to a cap, and each wait drawn between
 * half and all of the step, so that instances that failed together do not come back together. The caller waits on its
 * own stop signal (a wake-up, a load closing, an interrupt), which a stop must end at once.
 * <p>
 * Written here rather than taken from SmallRye Fault Tolerance: of the five retries only the engine's whole calls fit
 * its guard, and a guard there would be a second backoff with another jitter beside this one.
 */
public final class Backoff {

    /** The longest wait between two tries of a call that is tried for as long as it fails. */
    public static final Duration LONGEST = Duration.ofSeconds(30);

    private final Duration cap;
    private Duration step;

    private Backoff(Duration first, Duration cap) {
        this.step = first;
        this.cap = cap;
    }

    /** Doubles from {@code first} up to {@link #LONGEST}: for a call tried for as long as it fails. */
    public static Backoff from(Duration first) {
        return new Backoff(first, LONGEST);
    }

    /** Doubles from {@code first} without a cap: for a call tried a bounded number of times. */
    public static Backoff uncapped(Duration first) {
        return new Backoff(first, ChronoUnit.FOREVER.getDuration());
    }

    /** The wait before the next try, between half and all of the step; the step doubles for the try after. */
    public Duration next() {
        long millis = Math.max(1, step.toMillis());
        step = step.compareTo(cap.dividedBy(2)) > 0 ? cap : step.multipliedBy(2);
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(millis / 2, millis + 1));
    }
}
