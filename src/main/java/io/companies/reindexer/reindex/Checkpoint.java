package io.companies.reindexer.reindex;

/** Where a run, or one slice of it, may be told to stop. */
@FunctionalInterface
public interface Checkpoint {

    /**
     * Called between pages and before each decisive step: throws {@link RunStoppedException} when the work must end
     * now, because the service is stopping or the work is no longer this instance's.
     */
    void checkpoint();

    /**
     * Like {@link #checkpoint()}, but asks whoever decides, now, rather than trusting what was last heard: for the
     * steps whose safety rests on the work still being this instance's at that moment.
     */
    default void confirm() {
        checkpoint();
    }
}
