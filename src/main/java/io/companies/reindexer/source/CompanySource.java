package io.companies.reindexer.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.reindex.ReindexConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Reads the published companies with their published case studies, as search documents, in keyset pages of ids.
 * Each page is read in its own short transaction: memory stays flat because the persistence context dies with it,
 * and no transaction lives long enough to hit the transaction timeout, however many companies there are.
 */
@ApplicationScoped
public class CompanySource {

    /** Where reading starts: below every id. */
    public static final int BEFORE_FIRST = Integer.MIN_VALUE;

    private final DocumentMapper mapper = new DocumentMapper(new CodeLists());

    @Inject
    ReindexConfig config;

    /** One page of documents, in company id order, and the id to read the next page after. */
    public record Page(List<CompanyDocument> documents, int lastId) {
        public boolean isEmpty() {
            return documents.isEmpty();
        }
    }

    /** The next page of published companies with an id above {@code afterId}; empty after the last one. */
    public Page pageAfter(int afterId) {
        return QuarkusTransaction.requiringNew().call(() -> read(afterId));
    }

    private Page read(int afterId) {
        List<Company> companies = Company.publishedAfter(afterId, config.source().pageSize());
        if (companies.isEmpty()) {
            return new Page(List.of(), afterId);
        }
        // Two queries per page, however many case studies: no N+1.
        Map<Integer, List<CaseStudy>> caseStudies = CaseStudy.publishedOf(companies.stream().map(c -> c.id).toList())
                .stream().collect(Collectors.groupingBy(c -> c.companyId));
        List<CompanyDocument> documents = new ArrayList<>(companies.size());
        for (Company company : companies) {
            documents.add(mapper.toDocument(company, caseStudies.getOrDefault(company.id, List.of())));
        }
        return new Page(documents, companies.getLast().id);
    }
}
