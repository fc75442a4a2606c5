package io.companies.reindexer.coordination;

import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import io.companies.reindexer.contract.Printable;
import io.companies.reindexer.contract.ReindexRequested;

/**
 * Judges a well-formed request by its values, in the order of the contract: invalid values are rejected, then, with
 * the feature flag off, the request is skipped. Duplicates are the ledger's to find, since only it knows every id.
 */
final class RequestJudge {

    private static final int MAX_REQUESTED_BY = 256;

    /** What a request gets; the alias is the request's, or the managed one when it names none. */
    sealed interface Verdict {
        String alias();
    }

    record Accepted(String alias) implements Verdict {
    }

    record Rejected(String alias, String reason) implements Verdict {
    }

    record Skipped(String alias) implements Verdict {
    }

    private final String managedAlias;
    private final boolean enabled;

    RequestJudge(String managedAlias, boolean enabled) {
        this.managedAlias = managedAlias;
        this.enabled = enabled;
    }

    Verdict judge(ReindexRequested request) {
        String alias = request.alias() == null ? managedAlias : request.alias();
        String rejection = rejectionOf(request, alias);
        if (rejection != null) {
            return new Rejected(alias, rejection);
        }
        return enabled ? new Accepted(alias) : new Skipped(alias);
    }

    private String rejectionOf(ReindexRequested request, String alias) {
        if (!alias.equals(managedAlias)) {
            return "Alias '" + Printable.escape(alias) + "' is not managed by this service, which manages '"
                    + managedAlias + "' only";
        }
        if (request.requestedAt() != null) {
            try {
                DateTimeFormatter.ISO_DATE_TIME.parse(request.requestedAt());
            } catch (DateTimeParseException e) {
                return "requestedAt '" + Printable.escape(request.requestedAt()) + "' is not an ISO-8601 date and time";
            }
        }
        String requestedBy = request.requestedBy();
        if (requestedBy != null) {
            int length = requestedBy.codePointCount(0, requestedBy.length());
            if (length > MAX_REQUESTED_BY) {
                return "requestedBy has " + length + " characters, more than " + MAX_REQUESTED_BY;
            }
            if (Printable.hasControlOrUnpairedSurrogate(requestedBy)) {
                return "requestedBy holds a control character or an unpaired surrogate";
            }
        }
        return null;
    }
}
