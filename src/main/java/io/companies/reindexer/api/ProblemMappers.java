package io.companies.reindexer.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;

import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns what the REST and security layers throw into problem details. Authentication is lazy
 * ({@code quarkus.http.auth.proactive=false}), so a refused token reaches these mappers instead of an empty answer.
 */
class ProblemMappers {

    @ServerExceptionMapper
    Response noCredentials(UnauthorizedException e) {
        return challenge("This call needs a bearer token");
    }

    @ServerExceptionMapper
    Response badCredentials(AuthenticationFailedException e) {
        return challenge("The bearer token is not valid: expired, from another issuer, wrongly signed, or no key is"
                + " configured to verify it");
    }

    @ServerExceptionMapper
    Response forbidden(ForbiddenException e) {
        return Problem.response(Status.FORBIDDEN, "The token's groups do not allow this call");
    }

    @ServerExceptionMapper
    Response webApplication(WebApplicationException e) {
        return Problem.response(e.getResponse().getStatusInfo(), e.getMessage());
    }

    @ServerExceptionMapper
    Response unexpected(RuntimeException e) {
        Log.errorf(e, "HTTP request failed");
        return Problem.response(Status.INTERNAL_SERVER_ERROR, "The request failed; the service log has the cause");
    }

    private static Response challenge(String detail) {
        return Response.fromResponse(Problem.response(Status.UNAUTHORIZED, detail))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }
}
