package io.companies.reindexer.reindex;

import io.companies.reindexer.index.AliasSwap;
import io.companies.reindexer.source.Fingerprints;

/** What the caller of a run learns of it and decides about it while it goes. */
public interface RunControl {

    /**
     * Called between pages and before each decisive step: throws {@link RunStoppedException} when the run must end
     * now, because the service is stopping or the run no longer holds its lock.
     */
    void checkpoint();

    /**
     * Called with the plan of the alias swap and what the index holds just before the swap happens; throwing leaves
     * the alias where it is.
     */
    void beforeSwap(long documents, AliasSwap swap, Fingerprints indexed);
}
