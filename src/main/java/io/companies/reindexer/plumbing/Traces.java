package io.companies.reindexer.plumbing;

import java.util.HashMap;
import java.util.Map;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * A trace context as the service keeps it with a request's row and puts it on the request's outcome: a W3C
 * {@code traceparent} value, so that a run on any instance, later, continues the trace the request started.
 */
public final class Traces {

    public static final String TRACEPARENT = "traceparent";

    private static final TextMapGetter<Map<String, String>> FROM_MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private Traces() {
    }

    /** The traceparent of the span {@code context} holds, or null when it holds none (tracing is off). */
    public static String traceparent(Context context) {
        Map<String, String> carrier = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(context, carrier, (map, key, value) -> map.put(key, value));
        return carrier.get(TRACEPARENT);
    }

    /** The context whose spans continue {@code traceparent}; without one, their spans start a trace of their own. */
    public static Context continuing(String traceparent) {
        return traceparent == null ? Context.root()
                : W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of(TRACEPARENT, traceparent),
                        FROM_MAP);
    }
}
