package io.companies.reindexer.contract;

/**
 * A request to rebuild an index, read from {@code reindex-requested}. Only {@code requestId} is always set (the
 * service makes one when the event has none); the other fields are as the event had them, or null; {@code force} is
 * false unless the event says {@code true}.
 */
public record ReindexRequested(String requestId, String alias, String requestedBy, String requestedAt, boolean force) {
}
