package io.companies.reindexer.reindex;

import io.companies.reindexer.index.AliasSwap;

/**
 * What the caller of a run learns of it and decides about it while it goes; its checkpoint stops the run when the
 * service is stopping or the run no longer holds its lock.
 */
public interface RunControl extends Checkpoint {

    /** Called when the run opened a pass on its slices: there is work for every instance. */
    void slicesOpened();

    /**
     * Called with the plan of the alias swap and the documents the index holds just before the swap happens; throwing
     * leaves the alias where it is.
     */
    void beforeSwap(long documents, AliasSwap swap);
}
