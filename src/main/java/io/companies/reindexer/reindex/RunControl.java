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

    /**
     * Called right before a decisive step on the engine (deleting an index, retiring the old ones), which no database
     * statement can fence: throws {@link RunStoppedException} unless the run still holds its lock and is still this
     * instance's, so that a leader whose run was taken over does nothing decisive.
     */
    void checkOwned(String step);
}
