package io.companies.reindexer.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import io.companies.reindexer.contract.ReindexRequested;
import io.companies.reindexer.coordination.RequestJudge.Accepted;
import io.companies.reindexer.coordination.RequestJudge.Rejected;
import io.companies.reindexer.coordination.RequestJudge.Skipped;
import io.companies.reindexer.coordination.RequestJudge.Verdict;

import org.junit.jupiter.api.Test;

class RequestJudgeTest {

    private final RequestJudge on = new RequestJudge("companies", true);
    private final RequestJudge off = new RequestJudge("companies", false);

    @Test
    void aRequestWithoutAliasIsForTheManagedOne() {
        assertThat(on.judge(request(null, null, null))).isEqualTo(new Accepted("companies"));
        assertThat(on.judge(request("companies", "ops", "2026-12-01T10:00:00Z"))).isEqualTo(new Accepted("companies"));
    }

    @Test
    void anotherAliasIsRejectedWithItsNameEscaped() {
        Verdict verdict = on.judge(request("products\n", null, null));

        assertThat(verdict.alias()).isEqualTo("products\n");
        assertThat(reason(verdict))
                .isEqualTo("Alias 'products\\u000a' is not managed by this service, which manages 'companies' only");
    }

    @Test
    void requestedAtMustBeAnIsoDateAndTime() {
        assertThat(on.judge(request(null, null, "2026-12-01T10:00:00+01:00"))).isInstanceOf(Accepted.class);
        assertThat(reason(on.judge(request(null, null, "yesterday"))))
                .isEqualTo("requestedAt 'yesterday' is not an ISO-8601 date and time");
        assertThat(reason(on.judge(request(null, null, "2026-12-01")))).contains("not an ISO-8601 date and time");
    }

    @Test
    void requestedByIsBoundedInCodePointsAndPrintable() {
        String emoji = "\uD83D\uDE00";
        assertThat(on.judge(request(null, emoji.repeat(256), null))).isInstanceOf(Accepted.class);
        assertThat(reason(on.judge(request(null, "a".repeat(257), null))))
                .isEqualTo("requestedBy has 257 characters, more than 256");
        assertThat(reason(on.judge(request(null, "ops\u0007", null))))
                .isEqualTo("requestedBy holds a control character or an unpaired surrogate");
        assertThat(reason(on.judge(request(null, "ops\uD83D", null)))).contains("unpaired surrogate");
    }

    @Test
    void invalidValuesAreRejectedEvenWithTheFlagOff() {
        assertThat(off.judge(request("products", null, null))).isInstanceOf(Rejected.class);
        assertThat(off.judge(request(null, null, null))).isEqualTo(new Skipped("companies"));
    }

    private static String reason(Verdict verdict) {
        assertThat(verdict).isInstanceOf(Rejected.class);
        return ((Rejected) verdict).reason();
    }

    private static ReindexRequested request(String alias, String requestedBy, String requestedAt) {
        return new ReindexRequested("request-1", alias, requestedBy, requestedAt, false);
    }
}
