package io.companies.reindexer.coordination;

import java.time.Instant;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.contract.Printable;
import io.companies.reindexer.contract.ReindexCompleted;
import io.companies.reindexer.contract.ReindexRequested;
import io.companies.reindexer.coordination.RequestJudge.Accepted;
import io.companies.reindexer.coordination.RequestJudge.Rejected;
import io.companies.reindexer.coordination.RequestJudge.Skipped;
import io.companies.reindexer.state.OutcomeOutbox;
import io.companies.reindexer.state.RunLedger;

import io.quarkus.logging.Log;

/**
 * Where every well-formed request comes in, from Kafka or HTTP: judged, then recorded durably with the outcome it
 * already has, if any. An accepted request wakes the run loop; an outcome wakes the outbox relay.
 */
@ApplicationScoped
public class RequestAdmission {

    @Inject
    ReindexConfig config;

    @Inject
    RunLedger ledger;

    @Inject
    OutcomeOutbox outbox;

    @Inject
    RunLoop runLoop;

    @Inject
    OutboxRelay relay;

    private RequestJudge judge;

    /** What {@link #admit} did with a request. */
    public enum Decision {
        /** Recorded; a run serves it soon. */
        ACCEPTED,
        /** The same request id is already waiting or running. */
        PENDING,
        /** The request id already had an outcome, which is published again. */
        REPUBLISHED,
        /** Invalid values: a REJECTED outcome is published. */
        REJECTED,
        /** The feature flag is off: a SKIPPED outcome is published. */
        SKIPPED
    }

    @PostConstruct
    void init() {
        judge = new RequestJudge(config.alias(), config.enabled());
    }

    /**
     * Returns once the request and any outcome it already has are durable.
     *
     * @throws io.companies.reindexer.state.RunLedgerException when the database is unavailable: nothing was recorded
     */
    public Decision admit(ReindexRequested request) {
        Decision decision = record(request);
        relay.wake();
        return decision;
    }

    /**
     * Admits a request the service makes itself for its own alias while the feature flag is on, which every instance
     * makes alike ({@link DefinitionChangeTrigger}, {@link ScheduledRebuild}): nothing to judge, and recorded only if
     * its id is not recorded yet, in one statement, so that of the instances making it at the same moment exactly one
     * records it, and a request that already has an outcome is left as it is (its outcome is not published again).
     *
     * @param needsVersion the least definition version of a build that may run it; null: any
     * @return whether this call recorded it, to be run
     * @throws io.companies.reindexer.state.RunLedgerException when the database is unavailable: nothing was recorded
     */
    public boolean admitOwn(ReindexRequested request, Integer needsVersion) {
        boolean recorded = ledger.acceptIfAbsent(request, config.alias(), needsVersion);
        if (recorded) {
            runLoop.wake();
        }
        return recorded;
    }

    private Decision record(ReindexRequested request) {
        String requestId = request.requestId();
        return switch (judge.judge(request)) {
            case Rejected rejected -> {
                outbox.record(config.alias(), ReindexCompleted.rejected(requestId,
                        Printable.escape(rejected.alias()), Instant.now(), rejected.reason()));
                yield Decision.REJECTED;
            }
            case Skipped skipped -> {
                outbox.record(config.alias(), ReindexCompleted.skipped(requestId, skipped.alias(), Instant.now()));
                yield Decision.SKIPPED;
            }
            case Accepted accepted -> switch (ledger.accept(request, accepted.alias())) {
                case NEW -> {
                    runLoop.wake();
                    yield Decision.ACCEPTED;
                }
                case PENDING -> {
                    Log.infof("Request %s is already waiting or running: no new run", requestId);
                    yield Decision.PENDING;
                }
                case REPUBLISHED -> {
                    Log.infof("Request %s already has an outcome: publishing it again, no new run", requestId);
                    yield Decision.REPUBLISHED;
                }
            };
        };
    }
}
