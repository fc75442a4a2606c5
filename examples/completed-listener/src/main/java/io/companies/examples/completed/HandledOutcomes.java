package io.companies.examples.completed;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * What the listener has handled, by request id. The service publishes each outcome at least once, so the same outcome
 * can arrive again (same key, same value, same {@code ce_id}): {@link #firstTime} says whether this one is new.
 * <p>
 * Kept in memory to keep the example small, so it forgets at restart. In a real consumer keep it where the effect of
 * handling lives, in the same transaction: e.g. a table with the request id as primary key and the {@code ce_id}, and
 * {@code INSERT ... ON CONFLICT DO NOTHING} telling whether the outcome is new.
 */
@ApplicationScoped
public class HandledOutcomes {

    private final Map<String, String> eventIdByRequestId = new ConcurrentHashMap<>();
    private final List<Outcome> handled = new CopyOnWriteArrayList<>();
    private final List<String> repeats = new CopyOnWriteArrayList<>();

    /** Records that the outcome with this CloudEvents id was seen for {@code requestId}; true only the first time. */
    boolean firstTime(String requestId, String eventId) {
        String before = eventIdByRequestId.putIfAbsent(requestId, eventId);
        if (before == null) {
            return true;
        }
        if (!before.equals(eventId)) {
            // The contract gives a request exactly one outcome; a second, different one is worth knowing about.
            eventIdByRequestId.put(requestId, eventId);
            return true;
        }
        repeats.add(requestId);
        return false;
    }

    void handled(Outcome outcome) {
        handled.add(outcome);
    }

    /** Every outcome handled, in order. */
    public List<Outcome> handled() {
        return List.copyOf(handled);
    }

    /** The request ids of the repeats that were ignored, in order. */
    public List<String> repeats() {
        return List.copyOf(repeats);
    }
}
