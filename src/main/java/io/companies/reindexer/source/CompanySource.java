package io.companies.reindexer.source;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;

import io.quarkus.narayana.jta.QuarkusTransaction;

import org.hibernate.FlushMode;
import org.hibernate.Session;

/**
 * Reads the published companies with their published case studies, as search documents with their
 * {@link Fingerprints fingerprint}, in keyset pages of ids. Each page is read in its own short transaction: memory
 * stays flat because the persistence context dies with it, and no transaction lives long enough to hit the
 * transaction timeout, however many companies there are.
 */
@ApplicationScoped
public class CompanySource {

    /** Where reading starts: below every id. */
    public static final int BEFORE_FIRST = Integer.MIN_VALUE;

    /** Where reading ends: the last id there can be. */
    public static final int LAST = Integer.MAX_VALUE;

    // Versions are two small columns: large pages keep a pass over a million companies to a few hundred round trips.
    private static final int VERSION_PAGE_SIZE = 10_000;

    private final DocumentMapper mapper = new DocumentMapper(new CodeLists());

    @Inject
    ReindexConfig config;

    /** What decides the documents this source builds: see {@link DocumentMapper#definition()}. */
    public String documentDefinition() {
        return mapper.definition();
    }

    /** A published company read from the source: its document and the fingerprint of the rows it was built from. */
    public record Item(int id, long fingerprint, CompanyDocument document) {
    }

    /** One page of companies, in id order, and the id to read the next page after. */
    public record Page(List<Item> items, int lastId) {
        public boolean isEmpty() {
            return items.isEmpty();
        }
    }

    /** The ids and fingerprints of one page of published companies, in id order. */
    public record Versions(int[] ids, long[] fingerprints, int lastId) {
        public boolean isEmpty() {
            return ids.length == 0;
        }
    }

    /**
     * The next page of published companies with an id above {@code afterId}, up to {@code lastId}; empty after the
     * last one.
     */
    public Page pageAfter(int afterId, int lastId) {
        return readOnly(() -> {
            List<Company> companies = Company.publishedBetween(afterId, lastId, config.source().pageSize());
            return new Page(items(companies), companies.isEmpty() ? afterId : companies.getLast().id);
        });
    }

    /** How many companies are published now: what a run expects to index, for its progress and ETA. */
    public long countPublished() {
        return readOnly(Company::countPublished);
    }

    /**
     * Where to cut the published companies into ranges of {@code companies} each: the last id of every full range, in
     * order. One short read per range, each skipping over the index of ids.
     */
    public List<Integer> rangeEnds(int companies) {
        List<Integer> ends = new ArrayList<>();
        int afterId = BEFORE_FIRST;
        for (Optional<Integer> end = nextEnd(afterId, companies); end.isPresent(); end = nextEnd(afterId, companies)) {
            afterId = end.get();
            ends.add(afterId);
        }
        return ends;
    }

    private Optional<Integer> nextEnd(int afterId, int companies) {
        return readOnly(() -> Company.publishedIdAt(afterId, companies));
    }

    /** Those of these companies that are published now, read again, in id order. */
    public List<Item> published(Collection<Integer> ids) {
        return readOnly(() -> items(Company.publishedIn(ids)));
    }

    /** Those of these companies that are published now, without reading their documents. */
    public Set<Integer> publishedIds(Collection<Integer> ids) {
        return readOnly(() -> Set.copyOf(Company.publishedIdsIn(ids)));
    }

    /**
     * The fingerprints of the next page of published companies with an id above {@code afterId}, up to
     * {@code lastId}, without reading their documents.
     */
    public Versions versionsAfter(int afterId, int lastId) {
        return readOnly(() -> {
            List<Company.Version> companies = Company.versionsBetween(afterId, lastId, VERSION_PAGE_SIZE);
            if (companies.isEmpty()) {
                return new Versions(new int[0], new long[0], afterId);
            }
            int first = companies.getFirst().id();
            int last = companies.getLast().id();
            Map<Integer, List<CaseStudy.Version>> caseStudies = CaseStudy.versionsBetween(first, last).stream()
                    .collect(Collectors.groupingBy(CaseStudy.Version::companyId));
            int[] ids = new int[companies.size()];
            long[] prints = new long[companies.size()];
            for (int i = 0; i < ids.length; i++) {
                Company.Version company = companies.get(i);
                long print = Fingerprints.of(company.id(), company.modified());
                for (CaseStudy.Version caseStudy : caseStudies.getOrDefault(company.id(), List.of())) {
                    print = Fingerprints.with(print, caseStudy.id(), caseStudy.modified());
                }
                ids[i] = company.id();
                prints[i] = print;
            }
            return new Versions(ids, prints, last);
        });
    }

    /**
     * Runs one read in a short transaction of its own with a read-only session: nothing is ever written, so the
     * session keeps no snapshots and skips the flush at commit, which the profile showed on every page.
     */
    private static <T> T readOnly(Callable<T> read) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Session session = Company.getSession();
            session.setHibernateFlushMode(FlushMode.MANUAL);
            session.setDefaultReadOnly(true);
            return read.call();
        });
    }

    private List<Item> items(List<Company> companies) {
        if (companies.isEmpty()) {
            return List.of();
        }
        // Two queries per page, however many case studies: no N+1.
        Map<Integer, List<CaseStudy>> caseStudies = CaseStudy.publishedOf(companies.stream().map(c -> c.id).toList())
                .stream().collect(Collectors.groupingBy(c -> c.companyId));
        List<Item> items = new ArrayList<>(companies.size());
        for (Company company : companies) {
            List<CaseStudy> published = caseStudies.getOrDefault(company.id, List.of());
            long print = Fingerprints.of(company.id, company.modified);
            for (CaseStudy caseStudy : published) {
                print = Fingerprints.with(print, caseStudy.id, caseStudy.modified);
            }
            items.add(new Item(company.id, print, mapper.toDocument(company, published)));
        }
        return items;
    }
}
