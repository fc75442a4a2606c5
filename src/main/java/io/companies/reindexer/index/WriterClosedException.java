package io.companies.reindexer.index;

/**
 * The engine refused a bulk request because the alias it went through is gone: a later claim of the slice removed it
 * (see {@link SliceWriter}), or the run ended. The claim is no longer the sender's; nothing it sent since counts.
 */
public class WriterClosedException extends BulkFailedException {

    public WriterClosedException(String writer) {
        super(writer, "the alias " + writer + " is gone: another instance took the slice over, or the run ended");
    }
}
