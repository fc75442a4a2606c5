package io.companies.reindexer.source;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** The search document of one published company, field by field as {@code shared/spec/data-model.md} defines it. */
@RegisterForReflection
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CompanyDocument(
        String pk,
        String name,
        String number,
        String companyType,
        String employees,
        String logo,
        String facebookUrl,
        String twitterUrl,
        String linkedinUrl,
        LocalDate dateOfCreation,
        @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = "yyyy-MM-dd'T'HH:mm:ss.SSSX", timezone = "UTC") Instant modified,
        String summary,
        String description,
        boolean hasDescription,
        String keywords,
        List<String> sectors,
        List<String> sectorsLabel,
        boolean hasSingleSector,
        List<String> expertiseIndustries,
        List<String> expertiseRegions,
        List<String> expertiseLanguages,
        List<String> expertiseCountries,
        List<String> expertiseLabels,
        Map<String, Object> expertiseProductsServices,
        List<String> expertiseProductsServicesLabels,
        String slug,
        String website,
        @JsonProperty("is_showcase_company") boolean isShowcaseCompany,
        @JsonProperty("is_published_investment_support_directory") boolean isPublishedInvestmentSupportDirectory,
        @JsonProperty("is_published_find_a_supplier") boolean isPublishedFindASupplier,
        int caseStudyCount,
        List<CaseStudyDocument> supplierCaseStudies) {

    /** One published case study, nested in its company's document. */
    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CaseStudyDocument(
            String pk,
            String title,
            String shortSummary,
            String description,
            String keywords,
            String imageOneCaption,
            String imageTwoCaption,
            String imageThreeCaption,
            String testimonial,
            String testimonialCompany,
            String testimonialJobTitle,
            String sector,
            String slug,
            String website,
            String testimonialName) {
    }
}
