package io.companies.reindexer.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

class AliasSwapTest {

    private static final IndexNames NAMES = new IndexNames("companies-");
    private static final String NEW = "companies-" + "n".repeat(32);
    private static final String CURRENT = "companies-" + "c".repeat(32);
    private static final String OLDER = "companies-" + "b".repeat(32);
    private static final String ORPHAN = "companies-" + "o".repeat(32);

    private static IndexInfo index(String name, long createdAt, boolean complete) {
        ObjectNode meta = JsonNodeFactory.instance.objectNode();
        if (complete) {
            meta.put(NewIndex.META_COMPLETE, true);
        }
        return new IndexInfo(name, createdAt, meta);
    }

    @Test
    void firstRunOnlyAddsTheAlias() {
        AliasSwap swap = AliasSwap.plan("companies", NEW, List.of(), List.of(index(NEW, 9, false)), NAMES, 0);
        assertThat(swap.previous()).isEmpty();
        assertThat(swap.deleted()).isEmpty();
        assertThat(swap.actions().toString())
                .isEqualTo("[{\"add\":{\"index\":\"" + NEW + "\",\"alias\":\"companies\"}}]");
    }

    @Test
    void withoutRetentionEveryOldIndexIsDeletedAfterTheRequestWhichOnlyMovesTheAlias() {
        AliasSwap swap = AliasSwap.plan("companies", NEW, List.of(CURRENT),
                List.of(index(OLDER, 1, true), index(CURRENT, 2, true), index(ORPHAN, 3, false), index(NEW, 4, false)),
                NAMES, 0);
        assertThat(swap.previous()).containsExactly(CURRENT);
        assertThat(swap.deleted()).containsExactlyInAnyOrder(OLDER, CURRENT, ORPHAN);
        assertThat(swap.actions().toString()).isEqualTo("[{\"add\":{\"index\":\"" + NEW + "\",\"alias\":\"companies\"}},"
                + "{\"remove\":{\"index\":\"" + CURRENT + "\",\"alias\":\"companies\"}}]");
    }

    @Test
    void retentionKeepsTheNewestCompleteIndicesButNeverAnOrphan() {
        AliasSwap swap = AliasSwap.plan("companies", NEW, List.of(CURRENT),
                List.of(index(OLDER, 1, true), index(CURRENT, 2, true), index(ORPHAN, 3, false), index(NEW, 4, false)),
                NAMES, 1);
        assertThat(swap.deleted()).containsExactlyInAnyOrder(OLDER, ORPHAN);
        assertThat(swap.actions().toString()).contains("{\"remove\":{\"index\":\"" + CURRENT + "\",\"alias\":\"companies\"}}");
    }

    @Test
    void anIndexThatIsNotOursLosesTheAliasButIsNeverDeleted() {
        AliasSwap swap = AliasSwap.plan("companies", NEW, List.of("companies-legacy"),
                List.of(index("companies-legacy", 1, false), index(NEW, 4, false)), NAMES, 0);
        assertThat(swap.deleted()).isEmpty();
        assertThat(swap.previous()).containsExactly("companies-legacy");
        assertThat(swap.actions().toString())
                .contains("{\"remove\":{\"index\":\"companies-legacy\",\"alias\":\"companies\"}}")
                .doesNotContain("remove_index");
    }
}
