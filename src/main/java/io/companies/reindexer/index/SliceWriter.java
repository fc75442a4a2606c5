package io.companies.reindexer.index;

/**
 * The alias through which one claim of one slice writes into its run's index ({@code <index>.slice-3.pass-1.attempt-2}).
 * A later claim of the slice removes the aliases of the earlier ones as it adds its own, so the engine itself refuses
 * what an earlier claimant still sends: one frozen past its lease, or a request of its still queued after it gave up.
 * The run removes its writers when it ends; they are the index's own, never an operator's alias.
 */
public record SliceWriter(String index, int slice, int pass, int attempt) {

    private static final String MARK = ".slice-";

    public String alias() {
        return index + MARK + slice + ".pass-" + pass + ".attempt-" + attempt;
    }

    /** The wildcard that matches the writers of every claim of this slice, this one's included. */
    String everyClaimOfTheSlice() {
        return index + MARK + slice + ".*";
    }

    /** Whether {@code alias} is a writer of a slice of {@code index}. */
    public static boolean isWriterOf(String index, String alias) {
        return alias.startsWith(index + MARK);
    }
}
