package io.companies.reindexer.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.logging.Log;

/**
 * A freshly created index on its way to replace the one behind the alias. Closing it before {@link #promote} deletes
 * it, so a failed run never leaves a partial index behind and never touches the alias.
 */
public final class NewIndex implements AutoCloseable {

    /** Key of the {@code _meta} flag that marks an index a run filled completely and verified. */
    static final String META_COMPLETE = "complete";

    private final SearchEngine engine;
    private final String name;
    private boolean promoted;

    private NewIndex(SearchEngine engine, String name) {
        this.engine = engine;
        this.name = name;
    }

    /** Creates the index, without any alias. */
    public static NewIndex create(SearchEngine engine, IndexDefinition definition, String name) throws IOException {
        engine.createIndex(name, definition.forLoading());
        return new NewIndex(engine, name);
    }

    public String name() {
        return name;
    }

    /**
     * Gives the filled index its final settings, makes every document searchable and checks that it holds exactly
     * {@code expected} documents; then marks it complete.
     *
     * @return the number of documents in the index
     */
    public long settle(IndexDefinition definition, long expected) throws IOException {
        engine.updateSettings(name, definition.settled());
        engine.refresh(name);
        long count = engine.count(name);
        if (count != expected) {
            throw new IllegalStateException("Index " + name + " holds " + count + " documents, " + expected + " were sent");
        }
        ObjectNode meta = JsonNodeFactory.instance.objectNode().put(META_COMPLETE, true).put("documents", count);
        engine.putMeta(name, meta);
        return count;
    }

    /**
     * Points {@code alias} to this index alone and deletes the old indices beyond {@code retention}, all in one
     * atomic {@code _aliases} request: searchers see either the old index or the new one, never a mix or nothing.
     */
    public AliasSwap promote(String alias, IndexNames names, int retention, Consumer<AliasSwap> beforeSwap)
            throws IOException {
        AliasSwap swap = AliasSwap.plan(alias, name, engine.aliasTargets(alias), engine.indices(names.wildcard()),
                names, retention);
        beforeSwap.accept(swap);
        engine.updateAliases(swap.actions());
        promoted = true;
        return swap;
    }

    @Override
    public void close() {
        if (!promoted) {
            Log.infof("Deleting index %s, which was not swapped in", name);
            try {
                engine.deleteIndex(name);
            } catch (IOException e) {
                throw new UncheckedIOException("Failed to delete index " + name + " after a failed run", e);
            }
        }
    }
}
