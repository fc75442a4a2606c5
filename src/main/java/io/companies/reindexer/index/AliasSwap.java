package io.companies.reindexer.index;

import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The actions of one atomic {@code _aliases} request that moves an alias to a new index: add the alias to the new
 * index and remove it from every index that has it. The request deletes nothing: searches and writes already running
 * on an old index would fail. Our old indices beyond the retention are deleted after it, once those have finished.
 *
 * @param previous the indices the alias pointed to before
 * @param deleted our indices to delete once the alias has moved
 * @param acknowledged whether the engine answered that every node applied the swap: false for a plan, and for a swap
 *        whose answer was lost
 */
public record AliasSwap(List<String> previous, List<String> deleted, ArrayNode actions, boolean acknowledged) {

    /**
     * @param targets the indices the alias points to now
     * @param existing the indices that match our name wildcard
     * @param retention how many old indices to keep: the newest ones that were complete, orphans of failed runs never
     */
    public static AliasSwap plan(String alias, String newIndex, List<String> targets, List<IndexInfo> existing,
            IndexNames names, int retention) {
        List<IndexInfo> old = existing.stream()
                .filter(index -> names.isOurs(index.name()) && !index.name().equals(newIndex))
                .toList();
        List<String> kept = old.stream()
                .filter(index -> targets.contains(index.name()) || index.isComplete())
                .sorted(Comparator.comparingLong(IndexInfo::createdAt).reversed())
                .limit(retention)
                .map(IndexInfo::name)
                .toList();
        List<String> deleted = old.stream().map(IndexInfo::name).filter(name -> !kept.contains(name)).sorted().toList();

        JsonNodeFactory factory = JsonNodeFactory.instance;
        ArrayNode actions = factory.arrayNode();
        actions.addObject().putObject("add").put("index", newIndex).put("alias", alias);
        for (String target : targets) {
            actions.addObject().putObject("remove").put("index", target).put("alias", alias);
        }
        return new AliasSwap(List.copyOf(targets), deleted, actions, false);
    }

    /** This plan, sent and acknowledged by every node of the engine. */
    AliasSwap acknowledgedByEveryNode() {
        return new AliasSwap(previous, deleted, actions, true);
    }
}
