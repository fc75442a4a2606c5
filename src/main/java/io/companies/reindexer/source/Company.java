package io.companies.reindexer.source;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.runtime.annotations.RegisterForReflection;

import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A row of {@code company_company}, a table the owning application writes: read-only here. The private contact
 * columns are deliberately not mapped, so they can never reach the index.
 */
@Entity
@Immutable
@Table(name = "company_company")
public class Company extends PanacheEntityBase {

    @Id
    public Integer id;
    public OffsetDateTime modified;
    public String name;
    public String number;
    public String companyType;
    public String summary;
    public String description;
    public String employees;
    public String keywords;
    public String website;
    public String twitterUrl;
    public String facebookUrl;
    public String linkedinUrl;
    public String logo;
    public String slug;
    public LocalDate dateOfCreation;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> sectors;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> expertiseIndustries;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> expertiseRegions;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> expertiseCountries;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> expertiseLanguages;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> expertiseProductsServices;
    @Column(name = "is_published_find_a_supplier")
    public boolean publishedFindASupplier;
    @Column(name = "is_published_investment_support_directory")
    public boolean publishedInvestmentSupportDirectory;
    @Column(name = "is_showcase_company")
    public boolean showcaseCompany;

    private static final String PUBLISHED = "(publishedFindASupplier = true or publishedInvestmentSupportDirectory = true)";

    /** The published companies with an id in ({@code afterId}, {@code lastId}], in id order: one keyset page. */
    public static List<Company> publishedBetween(int afterId, int lastId, int pageSize) {
        return find(PUBLISHED + " and id > ?1 and id <= ?2 order by id", afterId, lastId).page(0, pageSize).list();
    }

    public static long countPublished() {
        return count(PUBLISHED);
    }

    /** Those of these companies that are published, in id order. */
    public static List<Company> publishedIn(Collection<Integer> ids) {
        return list(PUBLISHED + " and id in ?1 order by id", ids);
    }

    /** The ids of those of these companies that are published. */
    public static List<Integer> publishedIdsIn(Collection<Integer> ids) {
        return find(PUBLISHED + " and id in ?1", ids).project(Version.class).list().stream().map(Version::id).toList();
    }

    /** Id and last change of the published companies with an id in ({@code afterId}, {@code lastId}]: one page. */
    public static List<Version> versionsBetween(int afterId, int lastId, int pageSize) {
        return find(PUBLISHED + " and id > ?1 and id <= ?2 order by id", afterId, lastId).page(0, pageSize)
                .project(Version.class).list();
    }

    /** The id of the {@code place}-th published company after {@code afterId}, if there are that many. */
    public static Optional<Integer> publishedIdAt(int afterId, int place) {
        return find(PUBLISHED + " and id > ?1 order by id", afterId).page(place - 1, 1).project(Version.class)
                .firstResultOptional().map(Version::id);
    }

    @RegisterForReflection
    public record Version(Integer id, OffsetDateTime modified) {
    }
}
