package io.companies.reindexer.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import io.companies.reindexer.contract.ReindexRequested;
import io.companies.reindexer.index.DefinitionStamp;
import io.companies.reindexer.reindex.LiveDefinition.Comparison;

import org.junit.jupiter.api.Test;

/**
 * When the live index's definition calls for a rebuild: only when it is older than this build's (another fingerprint
 * and a lower version, or none recorded), never without an alias or for an equal or newer version; and the request's
 * id, the same for every instance that sees the same build and index.
 */
class DefinitionChangeTriggerTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00.123456Z");
    private static final DefinitionStamp BUILD = new DefinitionStamp("b".repeat(32), 2);
    private static final String INDEX = "companies-0b1c2d3e4f5g6h7i8j9k0l1m2n3o4p5q";

    @Test
    void anIndexOfAnOlderVersionOrRecordingNoneIsRebuilt() {
        for (DefinitionStamp older : new DefinitionStamp[] { new DefinitionStamp("a".repeat(32), 1), null }) {
            Optional<ReindexRequested> request = requestFor(INDEX, older);

            assertThat(request).as("live %s", older).isPresent();
            assertThat(request.get().alias()).isEqualTo("companies");
            assertThat(request.get().requestedBy()).isEqualTo("reindexer:definition-change");
            assertThat(request.get().requestedAt()).isEqualTo("2026-12-07T10:00:00.123Z");
            assertThat(request.get().force()).isFalse();
            assertThat(UUID.fromString(request.get().requestId()).version()).isEqualTo(5);
        }
    }

    @Test
    void anEqualOrNewerVersionTheSameDefinitionOrNoAliasIsNot() {
        assertThat(requestFor(INDEX, new DefinitionStamp("a".repeat(32), 2))).as("equal version").isEmpty();
        assertThat(requestFor(INDEX, new DefinitionStamp("a".repeat(32), 3))).as("newer version").isEmpty();
        assertThat(requestFor(INDEX, new DefinitionStamp(BUILD.fingerprint(), 1))).as("same fingerprint").isEmpty();
        assertThat(requestFor(null, null)).as("no alias").isEmpty();
    }

    @Test
    void theIdIsTheSameForTheSameBuildAndIndexOnly() {
        DefinitionStamp older = new DefinitionStamp("a".repeat(32), 1);
        String id = requestFor(INDEX, older).orElseThrow().requestId();

        assertThat(DefinitionChangeTrigger.requestFor(new Comparison("companies", BUILD, INDEX, null),
                NOW.plusSeconds(60)).orElseThrow().requestId()).as("another instance, later").isEqualTo(id);
        assertThat(requestFor("companies-other", older).orElseThrow().requestId()).as("another live index")
                .isNotEqualTo(id);
        assertThat(DefinitionChangeTrigger.requestFor(
                new Comparison("companies", new DefinitionStamp("c".repeat(32), 2), INDEX, older), NOW).orElseThrow()
                .requestId()).as("another build").isNotEqualTo(id);
    }

    private static Optional<ReindexRequested> requestFor(String index, DefinitionStamp live) {
        return DefinitionChangeTrigger.requestFor(new Comparison("companies", BUILD, index, live), NOW);
    }
}
