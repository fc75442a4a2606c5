package io.companies.reindexer.source;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.runtime.annotations.RegisterForReflection;

import org.hibernate.annotations.Immutable;

/** A row of {@code company_companycasestudy}, a table the owning application writes: read-only here. */
@Entity
@Immutable
@Table(name = "company_companycasestudy")
public class CaseStudy extends PanacheEntityBase {

    @Id
    public Integer id;
    public Integer companyId;
    public OffsetDateTime modified;
    public String title;
    public String shortSummary;
    public String description;
    public String sector;
    public String website;
    public String keywords;
    public String imageOneCaption;
    public String imageTwoCaption;
    public String imageThreeCaption;
    public String testimonial;
    public String testimonialName;
    public String testimonialJobTitle;
    public String testimonialCompany;
    public String slug;
    @Column(name = "is_published_case_study")
    public boolean published;

    /** The published case studies of these companies, ordered by company and case study id: one query per page. */
    public static List<CaseStudy> publishedOf(Collection<Integer> companyIds) {
        return list("companyId in ?1 and published = true order by companyId, id", companyIds);
    }

    /** Ids and last changes of the published case studies of companies {@code firstId} to {@code lastId}. */
    public static List<Version> versionsBetween(int firstId, int lastId) {
        return find("companyId between ?1 and ?2 and published = true order by companyId, id", firstId, lastId)
                .project(Version.class).list();
    }

    @RegisterForReflection
    public record Version(Integer companyId, Integer id, OffsetDateTime modified) {
    }
}
