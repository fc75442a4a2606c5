package io.companies.reindexer.reindex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** When the shrink guard refuses a swap, and what its refusal says. */
class ShrinkGuardTest {

    @Test
    void aFirstRunIsNeverStopped() {
        assertThat(ShrinkGuard.refuses(0.5, 0, null)).isFalse();
        assertThat(ShrinkGuard.refuses(1, 0, null)).isFalse();
    }

    @Test
    void aShareOfZeroSwitchesTheGuardOff() {
        assertThat(ShrinkGuard.refuses(0, 0, 1_000_000L)).isFalse();
    }

    @Test
    void refusesFewerThanTheShareAndAllowsExactlyTheShare() {
        assertThat(ShrinkGuard.refuses(0.5, 499, 1000L)).isTrue();
        assertThat(ShrinkGuard.refuses(0.5, 500, 1000L)).isFalse();
        assertThat(ShrinkGuard.refuses(0.5, 3, 7L)).isTrue();
        assertThat(ShrinkGuard.refuses(0.5, 4, 7L)).isFalse();
        // The source lost 60 % of its companies: refused by the default.
        assertThat(ShrinkGuard.refuses(0.5, 400, 1000L)).isTrue();
        // A share of 1: the new index may grow, never shrink.
        assertThat(ShrinkGuard.refuses(1, 999, 1000L)).isTrue();
        assertThat(ShrinkGuard.refuses(1, 1000, 1000L)).isFalse();
    }

    @Test
    void anEmptyLiveIndexNeverRefuses() {
        assertThat(ShrinkGuard.refuses(0.5, 0, 0L)).isFalse();
    }

    @Test
    void theRefusalGivesBothCountsAndNamesTheSetting() {
        String refusal = ShrinkGuard.refusal("companies-new", 400, List.of("companies-old"), 1000, 0.5, "companies");
        assertThat(refusal).contains("companies-new holds 400 documents").contains("the 1000 in companies-old")
                .contains("reindex.swap.min-ratio").contains("\"force\": true");
    }
}
