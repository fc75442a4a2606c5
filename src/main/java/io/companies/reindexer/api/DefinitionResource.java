package io.companies.reindexer.api;

import java.io.IOException;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;

import io.companies.reindexer.reindex.LiveDefinition;
import io.companies.reindexer.reindex.LiveDefinition.Comparison;

import io.quarkus.logging.Log;
import io.quarkus.runtime.annotations.RegisterForReflection;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code GET /reindex/definition}: this build's index definition (fingerprint and version) beside the one the index
 * the alias points to records in its {@code _meta}, and whether they match. Read by the same roles as the runs.
 */
@Path("/reindex/definition")
@Produces(MediaType.APPLICATION_JSON)
public class DefinitionResource {

    @Inject
    LiveDefinition live;

    /**
     * This build's definition and the live index's; {@code index} is null without an alias, {@code indexFingerprint}
     * and {@code indexVersion} also when the index records no definition.
     */
    @RegisterForReflection
    public record DefinitionView(String alias, String fingerprint, int version, String index,
            String indexFingerprint, Integer indexVersion, boolean matches) {
    }

    @GET
    @RolesAllowed({ ReindexResource.ADMIN, ReindexResource.VIEWER })
    @Operation(summary = "This build's index definition beside the live index's", description = "The fingerprint"
            + " of everything that decides the documents and their analysis (settings, mappings, analysis, document"
            + " mapper, code lists), its version, and the same as the index the alias points to records them.")
    @APIResponse(responseCode = "200", description = "Both definitions, and whether they match", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DefinitionView.class)))
    @APIResponse(responseCode = "503", description = "The search engine did not answer")
    public Response definition() {
        Comparison comparison;
        try {
            comparison = live.compare();
        } catch (IOException e) {
            Log.warnf("GET /reindex/definition: the search engine did not answer: %s", e.getMessage());
            return Problem.response(Status.SERVICE_UNAVAILABLE, "The search engine did not answer");
        }
        return Response.ok(new DefinitionView(comparison.alias(), comparison.build().fingerprint(),
                comparison.build().version(), comparison.index(),
                comparison.live() == null ? null : comparison.live().fingerprint(),
                comparison.live() == null ? null : comparison.live().version(), comparison.matches())).build();
    }
}
