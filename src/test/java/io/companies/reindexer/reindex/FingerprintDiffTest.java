package io.companies.reindexer.reindex;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;

import io.companies.reindexer.source.Fingerprints;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FingerprintDiffTest {

    private final Fingerprints known = new Fingerprints();

    @AfterEach
    void close() {
        known.close();
    }

    private FingerprintDiff knowing(int... idsThenPrints) throws IOException {
        for (int i = 0; i < idsThenPrints.length; i += 2) {
            known.add(idsThenPrints[i], idsThenPrints[i + 1]);
        }
        return new FingerprintDiff(known.cursor());
    }

    @Test
    void findsChangedNewAndVanishedCompaniesInIdOrder() throws IOException {
        FingerprintDiff diff = knowing(1, 10, 2, 20, 3, 30, 5, 50);

        FingerprintDiff.Page page = diff.next(new int[] { 1, 3, 4, 5 }, new long[] { 10, 31, 40, 50 });

        assertThat(page.suspects()).containsExactly(2, 3, 4);
        assertThat(page.changed()).containsExactly(3, 4);
        assertThat(diff.rest()).isEmpty();
    }

    @Test
    void companiesKnownAboveTheLastPageHaveVanished() throws IOException {
        FingerprintDiff diff = knowing(1, 10, 7, 70, 9, 90);

        assertThat(diff.next(new int[] { 1 }, new long[] { 10 }).suspects()).isEmpty();
        assertThat(diff.rest()).containsExactly(7, 9);
    }

    @Test
    void anEmptyKnownSideMakesEveryCompanyNew() throws IOException {
        FingerprintDiff diff = knowing();

        FingerprintDiff.Page page = diff.next(new int[] { 4, 8 }, new long[] { 1, 2 });

        assertThat(page.suspects()).containsExactly(4, 8);
        assertThat(page.changed()).containsExactly(4, 8);
        assertThat(diff.rest()).isEmpty();
    }

    @Test
    void anEmptyCurrentSideMakesEveryKnownCompanyVanish() throws IOException {
        FingerprintDiff diff = knowing(2, 20, 3, 30);

        assertThat(diff.rest()).containsExactly(2, 3);
    }

    @Test
    void equalIdsAtTheEdgesOfPagesAreComparedNotLost() throws IOException {
        FingerprintDiff diff = knowing(1, 10, 2, 20, 3, 30, 4, 40, 6, 60);

        FingerprintDiff.Page first = diff.next(new int[] { 1, 2 }, new long[] { 10, 20 });
        FingerprintDiff.Page second = diff.next(new int[] { 3, 4 }, new long[] { 30, 41 });
        FingerprintDiff.Page third = diff.next(new int[] { 6, 7 }, new long[] { 60, 70 });

        assertThat(first.suspects()).isEmpty();
        assertThat(second.suspects()).containsExactly(4);
        assertThat(third.suspects()).containsExactly(7);
        assertThat(List.of(first.changed(), second.changed(), third.changed()))
                .containsExactly(List.of(), List.of(4), List.of(7));
        assertThat(diff.rest()).isEmpty();
    }

    @Test
    void aCompanyThatVanishedBetweenTwoPagesIsFoundOnTheNextOne() throws IOException {
        FingerprintDiff diff = knowing(1, 10, 2, 20, 3, 30);

        assertThat(diff.next(new int[] { 1 }, new long[] { 10 }).suspects()).isEmpty();
        assertThat(diff.next(new int[] { 3 }, new long[] { 30 }).suspects()).containsExactly(2);
    }
}
