package io.companies.reindexer.api;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;

import io.companies.reindexer.contract.MalformedRequestException;
import io.companies.reindexer.contract.ReindexCompleted;
import io.companies.reindexer.contract.ReindexRequested;
import io.companies.reindexer.contract.RequestParser;
import io.companies.reindexer.coordination.RequestAdmission;
import io.companies.reindexer.coordination.RequestAdmission.Decision;
import io.companies.reindexer.state.RunHistory;
import io.companies.reindexer.state.RunHistory.RequestRecord;
import io.companies.reindexer.state.RunHistory.RunRecord;
import io.companies.reindexer.state.RunLedgerException;

import io.quarkus.logging.Log;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.identity.SecurityIdentity;

import org.eclipse.microprofile.jwt.Claims;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * HTTP next to Kafka: the same request body as the {@code reindex-requested} event, judged by the same rules (one run
 * per alias, one outcome per request id, published on {@code reindex-completed}), and a view of the runs. Callers
 * carry a bearer token whose {@code groups} hold {@value #ADMIN} to request, {@value #ADMIN} or {@value #VIEWER} to
 * read ({@code shared/spec/http.md}).
 */
@Path("/reindex")
@Produces(MediaType.APPLICATION_JSON)
public class ReindexResource {

    public static final String ADMIN = "reindex-admin";
    public static final String VIEWER = "reindex-viewer";

    private static final int MAX_RUNS_PER_PAGE = 100;

    private final RequestParser parser = new RequestParser();

    @Inject
    RequestAdmission admission;

    @Inject
    RunHistory history;

    @Inject
    SecurityIdentity caller;

    // The views below are registered for reflection: Jackson serialises them in a native image too, and inside a
    // Response the build cannot see their type.

    /** What became of a request sent over HTTP; its outcome is published on {@code reindex-completed}. */
    @RegisterForReflection
    public record Submitted(String requestId, Decision decision) {
    }

    /** Where a running run stood at its last progress tick ({@code updatedAt}), as its instance recorded it. */
    @RegisterForReflection
    public record Progress(String stage, long documents, long expected, double percent, double documentsPerSecond,
            long etaSeconds, Instant updatedAt) {
    }

    /** A run, with the ids of its first requests ({@link RunHistory#REQUEST_IDS_SHOWN}) and how many it served. */
    @RegisterForReflection
    public record RunView(long id, String alias, String state, String index, Long documents, Instant startedAt,
            Instant completedAt, String error, String instance, List<String> requestIds, long requestCount,
            Progress progress) {
    }

    @RegisterForReflection
    public record RequestView(String requestId, String state, Instant receivedAt, Long runId,
            ReindexCompleted outcome, Progress progress) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(ADMIN)
    @Operation(summary = "Request a reindex", description = "Same body as the reindex-requested event; {} is valid."
            + " Without requestedBy, the caller's upn (or sub) is recorded.")
    @APIResponse(responseCode = "202", description = "Recorded; the outcome is published on reindex-completed; the"
            + " Location header names the request's view")
    @APIResponse(responseCode = "400", description = "Not a request, or a value PostgreSQL refuses (the reason is in"
            + " the problem's detail)")
    @APIResponse(responseCode = "401", description = "No valid bearer token")
    @APIResponse(responseCode = "403", description = "The token's groups lack " + ADMIN)
    @APIResponse(responseCode = "413", description = "The body is larger than 64 KiB")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "503", description = "The database is unavailable: nothing was recorded")
    public Response request(InputStream body) throws IOException {
        // A body without a declared length (chunked) is measured here; ApiRoutes refuses a declared one before.
        byte[] bytes = body.readNBytes(ApiRoutes.MAX_BODY_BYTES + 1);
        if (bytes.length > ApiRoutes.MAX_BODY_BYTES) {
            return Problem.response(Status.REQUEST_ENTITY_TOO_LARGE, ApiRoutes.BODY_TOO_LARGE);
        }
        ReindexRequested request;
        try {
            request = withCaller(parser.parse(bytes));
        } catch (MalformedRequestException e) {
            return Problem.response(Status.BAD_REQUEST, e.getMessage());
        }
        try {
            Decision decision = admission.admit(request);
            URI view = UriBuilder.fromResource(ReindexResource.class).path("runs/{requestId}")
                    .build(request.requestId());
            return Response.accepted(new Submitted(request.requestId(), decision)).location(view).build();
        } catch (RunLedgerException e) {
            Log.warnf("Request %s over HTTP not recorded: %s", request.requestId(), e.getMessage());
            if (e.isBadData()) {
                // What the topic sends to the dead-letter topic (SQLState class 22): the request's fault.
                return Problem.response(Status.BAD_REQUEST, "PostgreSQL refused a value of the request");
            }
            return Problem.response(Status.SERVICE_UNAVAILABLE, "The database is unavailable: nothing was recorded");
        }
    }

    @GET
    @Path("/runs")
    @RolesAllowed({ ADMIN, VIEWER })
    @Operation(summary = "The latest runs, newest first, with the progress of a running one (from any instance)", description = "At most limit runs (1 to 100) with an id below before; when there are more, a Link header"
            + " with rel=\"next\" names the next page.")
    @APIResponse(responseCode = "200", description = "The runs; a Link header with rel=\"next\" when there are more", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = RunView.class)))
    @APIResponse(responseCode = "400", description = "limit or before is not a number in its range")
    public Response runs(@QueryParam("limit") @DefaultValue("20") String limit, @QueryParam("before") String before,
            @Context UriInfo uri) {
        int size = (int) number("limit", limit, 1, MAX_RUNS_PER_PAGE);
        Long below = before == null ? null : number("before", before, 1, Long.MAX_VALUE);
        List<RunRecord> found = history.recentRuns(size + 1, below);
        List<RunView> page = found.stream().limit(size).map(this::view).toList();
        Response.ResponseBuilder answer = Response.ok(page);
        if (found.size() > size) {
            answer.link(uri.getRequestUriBuilder().replaceQueryParam("limit", size)
                    .replaceQueryParam("before", page.getLast().id()).build(), "next");
        }
        return answer.build();
    }

    @GET
    @Path("/runs/{requestId}")
    @RolesAllowed({ ADMIN, VIEWER })
    @Operation(summary = "One request: waiting, running (with progress) or its outcome")
    @APIResponse(responseCode = "200", description = "The request", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RequestView.class)))
    @APIResponse(responseCode = "404", description = "No accepted request has this id")
    public Response request(@PathParam("requestId") String requestId) {
        Optional<RequestRecord> request = history.request(requestId);
        if (request.isEmpty()) {
            return Problem.response(Status.NOT_FOUND, "No accepted request has id " + requestId);
        }
        RequestRecord found = request.get();
        String state = found.outcome() != null ? found.outcome().status().name()
                : found.runId() == null ? "WAITING" : "RUNNING";
        return Response.ok(new RequestView(found.requestId(), state, found.receivedAt(), found.runId(),
                found.outcome(), view(found.progress()))).build();
    }

    /** The request, with the caller's name as {@code requestedBy} when the body names nobody. */
    private ReindexRequested withCaller(ReindexRequested request) {
        if (request.requestedBy() != null || !(caller.getPrincipal() instanceof JsonWebToken token)) {
            return request;
        }
        String name = token.containsClaim(Claims.upn.name()) ? token.<String> getClaim(Claims.upn)
                : token.getSubject();
        return new ReindexRequested(request.requestId(), request.alias(), name, request.requestedAt(), request.force());
    }

    private static long number(String name, String value, long min, long max) {
        try {
            long number = Long.parseLong(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // answered below, like a number out of range
        }
        throw new BadRequestException(name + " must be a whole number from " + min + " to " + max);
    }

    private RunView view(RunRecord run) {
        return new RunView(run.id(), run.alias(), run.state(), run.index(), run.documents(), run.startedAt(),
                run.completedAt(), run.error(), run.instance(), run.requestIds(), run.requestCount(),
                view(run.progress()));
    }

    private static Progress view(RunHistory.Progress run) {
        if (run == null) {
            return null;
        }
        double percent = run.expected() == 0 ? 0 : Math.min(100.0, 100.0 * run.documents() / run.expected());
        return new Progress(run.stage(), run.documents(), run.expected(), Math.round(10 * percent) / 10.0,
                Math.round(run.documentsPerSecond()), run.etaSeconds(), run.updatedAt());
    }
}
