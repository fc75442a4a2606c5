package io.companies.reindexer.coordination;

import java.util.function.BooleanSupplier;

import io.companies.reindexer.index.AliasSwap;
import io.companies.reindexer.reindex.RunControl;
import io.companies.reindexer.reindex.RunStoppedException;
import io.companies.reindexer.state.AliasLock;
import io.companies.reindexer.state.RunLedger;
import io.companies.reindexer.state.RunOwner;

/**
 * What a run under the alias lock checks and records as it goes: it stops when the service stops or the lock is gone,
 * and records its swap, or takes a decisive step, only while it still owns its row.
 */
final class LockedRunControl implements RunControl {

    private final AliasLock lock;
    private final BooleanSupplier stopping;
    private final RunLedger ledger;
    private final RunOwner owner;
    private final Runnable wakeWorkers;

    /** @param wakeWorkers tells this instance's slice workers that there is work */
    LockedRunControl(AliasLock lock, BooleanSupplier stopping, RunLedger ledger, RunOwner owner, Runnable wakeWorkers) {
        this.lock = lock;
        this.stopping = stopping;
        this.ledger = ledger;
        this.owner = owner;
        this.wakeWorkers = wakeWorkers;
    }

    @Override
    public void checkpoint() {
        if (stopping.getAsBoolean()) {
            throw new RunStoppedException("Stopped: the service is shutting down");
        }
        verifyLock();
    }

    @Override
    public void slicesOpened() {
        wakeWorkers.run();
    }

    @Override
    public void beforeSwap(long documents, AliasSwap swap) {
        checkpoint();
        if (!ledger.swapping(owner, documents, swap.previous(), swap.deleted())) {
            throw takenOver("its swap");
        }
    }

    @Override
    public void checkOwned(String step) {
        verifyLock();
        if (!ledger.owns(owner)) {
            throw takenOver(step);
        }
    }

    private void verifyLock() {
        try {
            lock.verifyHeld();
        } catch (AliasLock.LostLockException e) {
            throw new RunStoppedException(e.getMessage());
        }
    }

    private RunStoppedException takenOver(String step) {
        return new RunStoppedException("Run " + owner.runId() + " was taken over by another instance while "
                + owner.instance() + " led it (generation " + owner.generation() + "): " + step + " is left to it");
    }
}
