package io.companies.reindexer.source;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.companies.reindexer.source.CompanyDocument.CaseStudyDocument;

/** Builds the search document of a published company from its row and its published case studies. */
public final class DocumentMapper {

    // Raise it with every change to how a document is built from the rows: a build with another version, or other code
    // lists, builds other documents, and a run's documents all come from one build. Raise reindex.definition-version
    // with it (ReindexConfig.DEFINITION_VERSION).
    private static final int VERSION = 1;

    private final CodeLists codeLists;

    public DocumentMapper(CodeLists codeLists) {
        this.codeLists = codeLists;
    }

    /** What decides the documents this mapper builds: its version and its code lists. */
    public String definition() {
        return "document mapper " + VERSION + "\n" + codeLists.canonical();
    }

    public CompanyDocument toDocument(Company company, List<CaseStudy> caseStudies) {
        List<String> sectors = orEmpty(company.sectors);
        List<String> industries = orEmpty(company.expertiseIndustries);
        List<String> regions = orEmpty(company.expertiseRegions);
        List<String> countries = orEmpty(company.expertiseCountries);
        List<String> languages = orEmpty(company.expertiseLanguages);
        Map<String, Object> productsServices = company.expertiseProductsServices == null ? Map.of()
                : company.expertiseProductsServices;
        return new CompanyDocument(
                String.valueOf(company.id),
                company.name,
                company.number,
                company.companyType,
                company.employees,
                company.logo,
                company.facebookUrl,
                company.twitterUrl,
                company.linkedinUrl,
                company.dateOfCreation,
                company.modified == null ? null : company.modified.toInstant(),
                company.summary,
                company.description,
                company.description != null && !company.description.isEmpty(),
                company.keywords,
                sectors,
                codeLists.industryLabels(sectors),
                sectors.size() == 1,
                industries,
                regions,
                languages,
                countries,
                expertiseLabels(industries, regions, countries, languages),
                productsServices,
                flatten(productsServices.values(), new ArrayList<>()),
                company.slug,
                company.website,
                company.showcaseCompany,
                company.publishedInvestmentSupportDirectory,
                company.publishedFindASupplier,
                caseStudies.size(),
                caseStudies.stream().map(DocumentMapper::toDocument).toList());
    }

    private List<String> expertiseLabels(List<String> industries, List<String> regions, List<String> countries,
            List<String> languages) {
        List<String> labels = new ArrayList<>(industries.size() + regions.size() + countries.size() + languages.size());
        labels.addAll(codeLists.industryLabels(industries));
        labels.addAll(codeLists.regionLabels(regions));
        labels.addAll(codeLists.countryLabels(countries));
        labels.addAll(codeLists.languageLabels(languages));
        return labels;
    }

    /** Every scalar value of the products-and-services object, at any depth. */
    private static List<String> flatten(Collection<?> values, List<String> labels) {
        for (Object value : values) {
            if (value instanceof Collection<?> list) {
                flatten(list, labels);
            } else if (value instanceof Map<?, ?> map) {
                flatten(map.values(), labels);
            } else if (value != null) {
                labels.add(value.toString());
            }
        }
        return labels;
    }

    private static CaseStudyDocument toDocument(CaseStudy caseStudy) {
        return new CaseStudyDocument(
                String.valueOf(caseStudy.id),
                caseStudy.title,
                caseStudy.shortSummary,
                caseStudy.description,
                caseStudy.keywords,
                caseStudy.imageOneCaption,
                caseStudy.imageTwoCaption,
                caseStudy.imageThreeCaption,
                caseStudy.testimonial,
                caseStudy.testimonialCompany,
                caseStudy.testimonialJobTitle,
                caseStudy.sector,
                caseStudy.slug,
                caseStudy.website,
                caseStudy.testimonialName);
    }

    private static List<String> orEmpty(List<String> codes) {
        return codes == null ? List.of() : codes;
    }
}
