package io.companies.reindexer.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.companies.reindexer.messaging.MalformedRequestException;
import io.companies.reindexer.messaging.ReindexCompleted;
import io.companies.reindexer.messaging.ReindexRequested;
import io.companies.reindexer.messaging.RequestParser;
import io.companies.reindexer.reindex.ReindexCoordinator;
import io.companies.reindexer.reindex.ReindexCoordinator.Decision;
import io.companies.reindexer.reindex.RunTracker;
import io.companies.reindexer.state.RunHistory;
import io.companies.reindexer.state.RunHistory.RequestRecord;
import io.companies.reindexer.state.RunHistory.RunRecord;
import io.companies.reindexer.state.RunLedgerException;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * HTTP next to Kafka: the same request body as the {@code reindex-requested} event, judged by the same rules (one run
 * per alias, one outcome per request id, published on {@code reindex-completed}), and a view of the runs.
 */
@Path("/reindex")
@Produces(MediaType.APPLICATION_JSON)
public class ReindexResource {

    private final RequestParser parser = new RequestParser();

    @Inject
    ReindexCoordinator coordinator;

    @Inject
    RunHistory history;

    @Inject
    RunTracker tracker;

    // The views below are registered for reflection: Jackson serialises them in a native image too, and inside a
    // Response the build cannot see their type.

    /** What became of a request sent over HTTP; its outcome is published on {@code reindex-completed}. */
    @RegisterForReflection
    public record Submitted(String requestId, Decision decision) {
    }

    /** Where a run on this instance stands. */
    @RegisterForReflection
    public record Progress(String stage, long documents, long expected, double percent, double documentsPerSecond,
            long etaSeconds) {
    }

    @RegisterForReflection
    public record RunView(long id, String alias, String state, String index, Long documents, Instant startedAt,
            Instant completedAt, String error, String instance, List<String> requestIds, Progress progress) {
    }

    @RegisterForReflection
    public record RequestView(String requestId, String state, Instant receivedAt, Long runId,
            ReindexCompleted outcome, Progress progress) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Request a reindex", description = "Same body as the reindex-requested event; {} is valid.")
    @APIResponse(responseCode = "202", description = "Recorded; the outcome is published on reindex-completed")
    @APIResponse(responseCode = "400", description = "Not a request (the reason is in the body)")
    @APIResponse(responseCode = "503", description = "The database is unavailable: nothing was recorded")
    public Response request(byte[] body) {
        ReindexRequested request;
        try {
            request = parser.parse(body);
        } catch (MalformedRequestException e) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", e.getMessage())).build();
        }
        try {
            Decision decision = coordinator.submit(request);
            return Response.accepted(new Submitted(request.requestId(), decision)).build();
        } catch (RunLedgerException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity(Map.of("error", e.getMessage()))
                    .build();
        }
    }

    @GET
    @Path("/runs")
    @Operation(summary = "The latest runs, newest first, with the progress of the one running on this instance")
    public List<RunView> runs(@QueryParam("limit") @DefaultValue("20") int limit) {
        return history.recentRuns(Math.clamp(limit, 1, 500)).stream().map(this::view).toList();
    }

    @GET
    @Path("/runs/{requestId}")
    @Operation(summary = "One request: waiting, running (with progress) or its outcome")
    @APIResponse(responseCode = "404", description = "No accepted request has this id")
    public Response request(@PathParam("requestId") String requestId) {
        Optional<RequestRecord> request = history.request(requestId);
        if (request.isEmpty()) {
            return Response.status(Response.Status.NOT_FOUND)
                    .entity(Map.of("error", "No accepted request has id " + requestId)).build();
        }
        RequestRecord found = request.get();
        String state = found.outcome() != null ? found.outcome().status().name()
                : found.runId() == null ? "WAITING" : "RUNNING";
        return Response.ok(new RequestView(found.requestId(), state, found.receivedAt(), found.runId(),
                found.outcome(), found.runId() == null ? null : progressOf(found.runId()))).build();
    }

    private RunView view(RunRecord run) {
        return new RunView(run.id(), run.alias(), run.state(), run.index(), run.documents(), run.startedAt(),
                run.completedAt(), run.error(), run.instance(), run.requestIds(), progressOf(run.id()));
    }

    private Progress progressOf(long runId) {
        return tracker.current().filter(run -> run.runId() == runId)
                .map(run -> new Progress(run.stage(), run.documents(), run.expected(),
                        Math.round(1000 * run.progress()) / 10.0, Math.round(run.documentsPerSecond()),
                        run.eta() == null ? 0 : run.eta().toSeconds()))
                .orElse(null);
    }
}
