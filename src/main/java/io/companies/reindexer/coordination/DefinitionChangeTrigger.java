package io.companies.reindexer.coordination;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.contract.ReindexRequested;
import io.companies.reindexer.contract.RequestIds;
import io.companies.reindexer.index.DefinitionStamp;
import io.companies.reindexer.reindex.LiveDefinition;
import io.companies.reindexer.reindex.LiveDefinition.Comparison;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;

/**
 * Rebuild on change: at start and every {@code reindex.poll-interval}, when the alias points to an index built from an
 * older definition than this build's (another fingerprint and a lower version, or none recorded), requests a rebuild
 * through {@link RequestAdmission}, recorded and answered like any other request, except that only a build of this
 * definition version or a newer one runs it: an older build still running leaves it waiting. Its id is derived from
 * this build's
 * fingerprint and the live index, so that every instance that sees them makes the same request, recorded once; an id
 * already recorded is not admitted again, so a rebuild that failed is not retried (nor its outcome published again)
 * until the alias moves. Only a newer definition triggers, so an older build still running during a rolling deploy
 * never rebuilds back. Nothing with the feature flag off, {@code reindex.rebuild-on-change=false}, or no alias.
 */
@ApplicationScoped
public class DefinitionChangeTrigger {

    public static final String REQUESTED_BY = "reindexer:definition-change";

    @Inject
    ReindexConfig config;

    @Inject
    LiveDefinition live;

    @Inject
    RequestAdmission admission;

    @Scheduled(every = "${reindex.poll-interval}", concurrentExecution = ConcurrentExecution.SKIP)
    void poll() {
        try {
            check();
        } catch (IOException | RuntimeException e) {
            // Tried again at the next poll; the engine's and the database's outages are logged where they hurt.
            Log.debugf("Whether alias %s needs a rebuild for a new definition is not known yet: %s", config.alias(),
                    e.getMessage());
        }
    }

    /**
     * Compares the live index's definition with this build's and requests a rebuild when it is older.
     *
     * @return the request this instance made, or would have made had it not been recorded already
     */
    public Optional<ReindexRequested> check() throws IOException {
        if (!config.enabled() || !config.rebuildOnChange()) {
            return Optional.empty();
        }
        Optional<ReindexRequested> request = requestFor(live.compare(), Instant.now());
        request.filter(r -> admission.admitOwn(r, config.definitionVersion()))
                .ifPresent(r -> Log.infof("Alias %s is on an index of an older definition: requested rebuild %s (%s)",
                        r.alias(), r.requestId(), REQUESTED_BY));
        return request;
    }

    /** The request {@code comparison} calls for, if any: only when the live index's definition is older. */
    static Optional<ReindexRequested> requestFor(Comparison comparison, Instant now) {
        if (comparison.index() == null || comparison.matches()) {
            return Optional.empty();
        }
        DefinitionStamp build = comparison.build();
        DefinitionStamp index = comparison.live();
        if (index != null && index.version() >= build.version()) {
            return Optional.empty();
        }
        String requestId = RequestIds
                .ofCause(REQUESTED_BY + "/" + comparison.alias() + "/" + build.fingerprint() + "/" + comparison.index());
        return Optional.of(new ReindexRequested(requestId, comparison.alias(), REQUESTED_BY,
                now.truncatedTo(ChronoUnit.MILLIS).toString(), false));
    }
}
