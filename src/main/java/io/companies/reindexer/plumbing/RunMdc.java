package io.companies.reindexer.plumbing;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.MDC;

import io.opentelemetry.api.trace.SpanContext;

/**
 * The fields that say which run a log line belongs to (run and request ids, alias, index; on a slice worker the slice
 * and its pass; with tracing on, the trace and span ids), in the MDC of the thread that works for the run, which the
 * JSON log prints under {@code mdc}. Opened for a run or a pass with try-with-resources: closing it puts back what the
 * thread held before, so that its next lines never name a run that is over. {@link #carried} hands the fields to a task
 * another thread runs (a bulk sender).
 */
public final class RunMdc implements AutoCloseable {

    public static final String RUN_ID = "runId";
    public static final String REQUEST_ID = "requestId";
    public static final String ALIAS = "alias";
    public static final String INDEX = "index";
    public static final String SLICE = "slice";
    public static final String PASS = "pass";
    public static final String TRACE_ID = "traceId";
    public static final String SPAN_ID = "spanId";

    // What each field set here held before (null: nothing), to put back at close.
    private final Map<String, Object> before = new HashMap<>();

    private RunMdc(Map<String, Object> fields) {
        fields.forEach((key, value) -> {
            if (value != null) {
                before.put(key, MDC.put(key, value));
            }
        });
    }

    /** The fields of a run, on the thread that leads it or repairs it. */
    public static RunMdc run(long runId, List<String> requestIds, String alias, String index) {
        return new RunMdc(fields(runId, requestIds, alias, index));
    }

    /** The fields of one pass of one slice of a run, on the slice worker that does it. */
    public static RunMdc slice(long runId, List<String> requestIds, String alias, String index, int slice, int pass) {
        Map<String, Object> fields = fields(runId, requestIds, alias, index);
        fields.put(SLICE, String.valueOf(slice));
        fields.put(PASS, String.valueOf(pass));
        return new RunMdc(fields);
    }

    /**
     * The ids of the trace and the span of a run or a pass, when tracing is on (Quarkus puts them in the MDC only on its
     * own Vert.x threads, not on the service's).
     */
    public static RunMdc trace(SpanContext span) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (span.isValid()) {
            fields.put(TRACE_ID, span.getTraceId());
            fields.put(SPAN_ID, span.getSpanId());
        }
        return new RunMdc(fields);
    }

    /**
     * {@code task} run with the MDC the calling thread holds now, and without it once done: a pool thread holds no MDC
     * of its own, or a copy of what the thread that made it held then.
     */
    public static Runnable carried(Runnable task) {
        Map<String, Object> fields = new HashMap<>(MDC.getMap());
        return () -> {
            try (RunMdc carried = new RunMdc(fields)) {
                task.run();
            }
        };
    }

    private static Map<String, Object> fields(long runId, List<String> requestIds, String alias, String index) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(RUN_ID, String.valueOf(runId));
        fields.put(REQUEST_ID, requestIds == null ? null : String.join(",", requestIds));
        fields.put(ALIAS, alias);
        fields.put(INDEX, index);
        return fields;
    }

    /** Puts back what the thread held before: nothing, on a thread that works for one run at a time. */
    @Override
    public void close() {
        before.forEach((key, value) -> {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
    }
}
