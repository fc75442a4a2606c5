package io.companies.reindexer.reindex;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.companies.reindexer.source.Fingerprints;

/**
 * What changed between the companies an index holds and those the source holds now, compared by id in one merge: the
 * known side is read once, in id order, while the current side comes page by page, in id order too. A company is a
 * suspect when it is new, when its fingerprint differs, or when it vanished (deleted or unpublished: deletions leave
 * no trace in the source, only the id sets show them).
 */
final class FingerprintDiff {

    private final Fingerprints.Cursor known;

    /** @param known what the index holds, from its first company */
    FingerprintDiff(Fingerprints.Cursor known) {
        this.known = known;
    }

    /**
     * @param suspects the companies to reconcile, in id order: those vanished below the page's last id and the
     *        changed ones
     * @param changed the suspects that are on the page (new or with another fingerprint), in id order
     */
    record Page(List<Integer> suspects, List<Integer> changed) {
    }

    /** Compares the next page of current companies, in id order and above every page before. */
    Page next(int[] ids, long[] prints) throws IOException {
        List<Integer> suspects = new ArrayList<>();
        List<Integer> changed = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            while (!known.exhausted() && known.id() < id) {
                suspects.add(known.id());
                known.advance();
            }
            boolean isKnown = !known.exhausted() && known.id() == id;
            if (!isKnown || known.print() != prints[i]) {
                suspects.add(id);
                changed.add(id);
            }
            if (isKnown) {
                known.advance();
            }
        }
        return new Page(suspects, changed);
    }

    /** The known companies above the last page: all vanished. */
    List<Integer> rest() throws IOException {
        List<Integer> vanished = new ArrayList<>();
        for (; !known.exhausted(); known.advance()) {
            vanished.add(known.id());
        }
        return vanished;
    }
}
