package io.companies.reindexer.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

class RequestIdsTest {

    @Test
    void isTheVersion5UuidOfTheRecordsPlaceInTheUrlNamespace() {
        // The same name in Python: uuid.uuid5(uuid.NAMESPACE_URL, "reindex-requested/0/42").
        assertThat(RequestIds.ofRecord("reindex-requested", 0, 42)).isEqualTo("ea2885c8-03d6-5e47-9df3-134c9c1e16cc");
        UUID id = UUID.fromString(RequestIds.ofRecord("reindex-requested", 3, 7));
        assertThat(id.version()).isEqualTo(5);
        assertThat(id.variant()).isEqualTo(2);
    }

    @Test
    void theSameRecordGetsTheSameIdAndAnyOtherPlaceAnother() {
        assertThat(RequestIds.ofRecord("t", 1, 2)).isEqualTo(RequestIds.ofRecord("t", 1, 2))
                .isNotEqualTo(RequestIds.ofRecord("t", 1, 3)).isNotEqualTo(RequestIds.ofRecord("t", 2, 2))
                .isNotEqualTo(RequestIds.ofRecord("u", 1, 2));
    }
}
