package io.companies.reindexer.coordination;

import java.util.function.BooleanSupplier;

import io.companies.reindexer.index.AliasSwap;
import io.companies.reindexer.reindex.RunControl;
import io.companies.reindexer.reindex.RunStoppedException;
import io.companies.reindexer.source.Fingerprints;
import io.companies.reindexer.state.AliasLock;
import io.companies.reindexer.state.RunLedger;
import io.companies.reindexer.state.RunLedger.ClaimedRun;

/**
 * What a run under the alias lock checks and records as it goes: it stops when the service stops or the lock is gone,
 * and records its swap only while it still owns its row.
 */
final class LockedRunControl implements RunControl {

    // How a run's fingerprints are recorded with its swap: 120 KB a row.
    private static final int FINGERPRINT_CHUNK = 10_000;

    private final AliasLock lock;
    private final BooleanSupplier stopping;
    private final RunLedger ledger;
    private final ClaimedRun run;
    private final String instance;

    /** @param run null for a repair, which never swaps */
    LockedRunControl(AliasLock lock, BooleanSupplier stopping, RunLedger ledger, ClaimedRun run, String instance) {
        this.lock = lock;
        this.stopping = stopping;
        this.ledger = ledger;
        this.run = run;
        this.instance = instance;
    }

    @Override
    public void checkpoint() {
        if (stopping.getAsBoolean()) {
            throw new RunStoppedException("Stopped: the service is shutting down");
        }
        try {
            lock.verifyHeld();
        } catch (AliasLock.LostLockException e) {
            throw new RunStoppedException(e.getMessage());
        }
    }

    @Override
    public void beforeSwap(long documents, AliasSwap swap, Fingerprints indexed) {
        checkpoint();
        ledger.swapping(run.id(), instance, documents, swap.previous(), swap.deleted(),
                chunk -> indexed.chunks(FINGERPRINT_CHUNK, chunk));
    }
}
