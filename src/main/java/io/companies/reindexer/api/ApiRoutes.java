package io.companies.reindexer.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response.Status;

import io.companies.reindexer.contract.RequestParser;

import io.quarkus.logging.Log;
import io.quarkus.vertx.http.runtime.RouteConstants;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The API's answers below the REST layer, as problem details too: a body declared larger than the contract's 64 KiB
 * (refused before anything reads it; a body without a declared length is measured by {@link ReindexResource}), and a
 * failure no exception mapper saw.
 */
@ApplicationScoped
class ApiRoutes {

    /** The contract's limit on a request body ({@code shared/spec/http.md}), the same as on the topic. */
    static final int MAX_BODY_BYTES = RequestParser.MAX_BYTES;
    static final String BODY_TOO_LARGE = "The body is larger than " + MAX_BODY_BYTES + " bytes";

    // Before Quarkus's own check of the declared length against quarkus.http.limits.max-body-size, which answers with
    // an empty 413.
    private static final int ORDER = RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1;

    @Inject
    ObjectMapper json;

    void register(@Observes Router router) throws JsonProcessingException {
        byte[] tooLarge = json.writeValueAsBytes(Problem.of(Status.REQUEST_ENTITY_TOO_LARGE, BODY_TOO_LARGE));
        router.post("/reindex").order(ORDER).handler(context -> {
            if (declaredLength(context) > MAX_BODY_BYTES) {
                answer(context, Status.REQUEST_ENTITY_TOO_LARGE, tooLarge);
            } else {
                context.next();
            }
        });
        byte[] failed = json.writeValueAsBytes(Problem.of(Status.INTERNAL_SERVER_ERROR,
                "The request failed; the service log has the cause"));
        router.route("/reindex*").order(ORDER).failureHandler(context -> {
            if (context.response().headWritten()) {
                context.next();
                return;
            }
            Log.errorf(context.failure(), "HTTP %s %s failed", context.request().method(), context.request().path());
            answer(context, Status.INTERNAL_SERVER_ERROR, failed);
        });
    }

    private static void answer(RoutingContext context, Status status, byte[] problem) {
        HttpServerResponse response = context.response().setStatusCode(status.getStatusCode())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        // The body may be left unread. Over HTTP/1 the connection is closed after the answer, as Quarkus's own check
        // does; over HTTP/2 a Connection header is forbidden, and closing would end the connection's other streams.
        if (context.request().version() != HttpVersion.HTTP_2) {
            response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
                    .endHandler(ended -> context.request().connection().close());
        }
        response.end(Buffer.buffer(problem));
    }

    private static long declaredLength(RoutingContext context) {
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        try {
            return length == null ? 0 : Long.parseLong(length);
        } catch (NumberFormatException e) {
            return 0; // not a length: the HTTP codec refuses such a request before any route
        }
    }
}
