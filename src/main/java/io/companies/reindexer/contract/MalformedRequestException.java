package io.companies.reindexer.contract;

/** A {@code reindex-requested} value that is not a request at all; its message is the reason on the dead-letter topic. */
public class MalformedRequestException extends RuntimeException {

    public MalformedRequestException(String reason) {
        super(reason);
    }
}
