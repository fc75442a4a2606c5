package io.companies.reindexer.reindex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.companies.reindexer.index.SearchEngine.SeqNo;

import org.junit.jupiter.api.Test;

class CreateRecheckTest {

    private static final SeqNo CREATED = new SeqNo(41, 1);
    private static final SeqNo REWRITTEN = new SeqNo(57, 1);

    @Test
    void deletesACreatedCompanyTheSourceNoLongerPublishesAsTheIndexHoldsIt() {
        // 1 still published; 2 deleted while its create waited; 3 unpublished, and the application rewrote its
        // document since; 4 gone from the source and from the index (its application's delete came after the create).
        CreateRecheck.Verdict verdict = CreateRecheck.judge(List.of(1, 2, 3, 4),
                Map.of("1", CREATED, "2", CREATED, "3", REWRITTEN), Set.of(1));

        assertThat(verdict.vanished()).containsExactlyInAnyOrder(2, 3, 4);
        assertThat(verdict.deletions()).containsExactly(Map.entry(2, CREATED), Map.entry(3, REWRITTEN));
    }

    @Test
    void leavesCompaniesStillPublishedAlone() {
        // A company changed since its create was read is rewritten by the application, whose write follows its commit.
        CreateRecheck.Verdict verdict = CreateRecheck.judge(List.of(5, 6), Map.of("5", CREATED), Set.of(5, 6));

        assertThat(verdict.vanished()).isEmpty();
        assertThat(verdict.deletions()).isEmpty();
    }
}
