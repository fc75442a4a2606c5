package io.companies.reindexer.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

class DocumentMapperTest {

    // As Quarkus configures its ObjectMapper.
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final DocumentMapper mapper = new DocumentMapper(new CodeLists());

    private static Company company() {
        Company company = new Company();
        company.id = 42;
        company.modified = OffsetDateTime.of(2026, 11, 24, 11, 0, 0, 123_456_000, ZoneOffset.ofHours(1));
        company.name = "Acme Ltd";
        company.number = "01234567";
        company.companyType = "COMPANIES_HOUSE";
        company.summary = "Rockets";
        company.description = "We build rockets";
        company.employees = "11-50";
        company.keywords = "rockets, space";
        company.website = "https://acme.example";
        company.twitterUrl = "";
        company.facebookUrl = "";
        company.linkedinUrl = "https://linkedin.example/acme";
        company.logo = "logos/acme.png";
        company.slug = "acme-ltd";
        company.dateOfCreation = LocalDate.of(2001, 2, 3);
        company.sectors = List.of("AEROSPACE");
        company.expertiseIndustries = List.of("AEROSPACE", "NOT_A_CODE");
        company.expertiseRegions = List.of("NORTH_EAST");
        company.expertiseCountries = List.of("FR");
        company.expertiseLanguages = List.of("fr");
        Map<String, Object> productsServices = new LinkedHashMap<>();
        productsServices.put("financial", List.of("Accounting", "Audit"));
        productsServices.put("legal", List.of("Contracts"));
        company.expertiseProductsServices = productsServices;
        company.publishedFindASupplier = true;
        company.publishedInvestmentSupportDirectory = false;
        company.showcaseCompany = true;
        return company;
    }

    private static CaseStudy caseStudy(int id) {
        CaseStudy caseStudy = new CaseStudy();
        caseStudy.id = id;
        caseStudy.companyId = 42;
        caseStudy.title = "Study " + id;
        caseStudy.shortSummary = "Short";
        caseStudy.description = "Long";
        caseStudy.sector = "AEROSPACE";
        caseStudy.website = "https://study.example";
        caseStudy.keywords = "k";
        caseStudy.imageOneCaption = "one";
        caseStudy.imageTwoCaption = "two";
        caseStudy.imageThreeCaption = "three";
        caseStudy.testimonial = "Great";
        caseStudy.testimonialName = "Ann";
        caseStudy.testimonialJobTitle = "CEO";
        caseStudy.testimonialCompany = "Client Ltd";
        caseStudy.slug = "study-" + id;
        caseStudy.published = true;
        return caseStudy;
    }

    @Test
    void buildsTheDocumentFieldByField() throws Exception {
        JsonNode document = json.valueToTree(mapper.toDocument(company(), List.of(caseStudy(7), caseStudy(9))));
        JsonNode expected = json.readTree("""
                {
                  "pk": "42", "name": "Acme Ltd", "number": "01234567", "company_type": "COMPANIES_HOUSE",
                  "employees": "11-50", "logo": "logos/acme.png", "facebook_url": "", "twitter_url": "",
                  "linkedin_url": "https://linkedin.example/acme", "date_of_creation": "2001-02-03",
                  "modified": "2026-11-24T10:00:00.123Z", "summary": "Rockets", "description": "We build rockets",
                  "has_description": true, "keywords": "rockets, space",
                  "sectors": ["AEROSPACE"], "sectors_label": ["Aerospace"], "has_single_sector": true,
                  "expertise_industries": ["AEROSPACE", "NOT_A_CODE"], "expertise_regions": ["NORTH_EAST"],
                  "expertise_languages": ["fr"], "expertise_countries": ["FR"],
                  "expertise_labels": ["Aerospace", "NOT_A_CODE", "North East", "France", "French"],
                  "expertise_products_services": {"financial": ["Accounting", "Audit"], "legal": ["Contracts"]},
                  "expertise_products_services_labels": ["Accounting", "Audit", "Contracts"],
                  "slug": "acme-ltd", "website": "https://acme.example",
                  "is_showcase_company": true, "is_published_investment_support_directory": false,
                  "is_published_find_a_supplier": true, "case_study_count": 2,
                  "supplier_case_studies": [
                    {"pk": "7", "title": "Study 7", "short_summary": "Short", "description": "Long", "keywords": "k",
                     "image_one_caption": "one", "image_two_caption": "two", "image_three_caption": "three",
                     "testimonial": "Great", "testimonial_company": "Client Ltd", "testimonial_job_title": "CEO",
                     "sector": "AEROSPACE", "slug": "study-7", "website": "https://study.example", "testimonial_name": "Ann"},
                    {"pk": "9", "title": "Study 9", "short_summary": "Short", "description": "Long", "keywords": "k",
                     "image_one_caption": "one", "image_two_caption": "two", "image_three_caption": "three",
                     "testimonial": "Great", "testimonial_company": "Client Ltd", "testimonial_job_title": "CEO",
                     "sector": "AEROSPACE", "slug": "study-9", "website": "https://study.example", "testimonial_name": "Ann"}
                  ]
                }""");
        assertThat(document).isEqualTo(expected);
    }

    @Test
    void emptyDescriptionSeveralSectorsAndNoCaseStudies() {
        Company company = company();
        company.description = "";
        company.sectors = List.of("AEROSPACE", "AIRPORTS");
        company.modified = null;
        JsonNode document = json.valueToTree(mapper.toDocument(company, List.of()));
        assertThat(document.get("has_description").booleanValue()).isFalse();
        assertThat(document.get("has_single_sector").booleanValue()).isFalse();
        assertThat(document.get("sectors_label")).hasSize(2);
        assertThat(document.get("case_study_count").intValue()).isZero();
        assertThat(document.get("supplier_case_studies")).isEmpty();
        assertThat(document.get("modified").isNull()).isTrue();
    }
}
