package io.companies.reindexer.api;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.StatusType;

import io.companies.reindexer.contract.Printable;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An error answer as RFC 9457 problem details ({@code application/problem+json}). A detail often quotes the caller, so
 * it is {@link Printable#escape escaped}: never a raw control character or an unpaired surrogate.
 */
@RegisterForReflection
public record Problem(String type, String title, int status, String detail) {

    public static final String MEDIA_TYPE = "application/problem+json";

    // No problem type of our own: the status says it all, so the type is the RFC's default and the title its phrase.
    private static final String TYPE = "about:blank";

    public static Problem of(StatusType status, String detail) {
        return new Problem(TYPE, status.getReasonPhrase(), status.getStatusCode(), Printable.escape(detail));
    }

    public static Response response(StatusType status, String detail) {
        return Response.status(status).type(MEDIA_TYPE).entity(of(status, detail)).build();
    }
}
