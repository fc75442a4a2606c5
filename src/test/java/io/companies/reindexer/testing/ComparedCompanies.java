package io.companies.reindexer.testing;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The fields the packaged tests compare between the source tables and the index, company by company: the name, the
 * modification time and the published case studies, which every kind of write of the owning application changes.
 * Also the document the owning application writes through the alias, made of those fields.
 */
public final class ComparedCompanies {

    private static final String PUBLISHED_COMPANIES = """
            select c.id, c.name, to_char(c.modified at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') modified,
            coalesce((select string_agg(s.id || ':' || s.title, '|' order by s.id) from company_companycasestudy s
            where s.company_id = c.id and s.is_published_case_study), '') case_studies
            from company_company c where (c.is_published_find_a_supplier or c.is_published_investment_support_directory)
            """;

    private final DataSource db;
    private final ObjectMapper json = new ObjectMapper();

    public ComparedCompanies(DataSource db) {
        this.db = db;
    }

    /** What the owning application writes through the alias: the fields compared, from the rows as they are now. */
    public String documentOf(int companyId) {
        try (Connection connection = db.getConnection();
                PreparedStatement select = connection.prepareStatement(PUBLISHED_COMPANIES + " and c.id = ?")) {
            select.setInt(1, companyId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                ObjectNode document = json.createObjectNode().put("pk", String.valueOf(row.getInt("id")))
                        .put("name", row.getString("name")).put("modified", row.getString("modified"));
                for (String caseStudy : row.getString("case_studies").split("\\|")) {
                    if (!caseStudy.isEmpty()) {
                        String[] parts = caseStudy.split(":", 2);
                        document.withArray("supplier_case_studies").addObject().put("pk", parts[0]).put("title",
                                parts[1]);
                    }
                }
                return json.writeValueAsString(document);
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The compared fields of every published company, by id. */
    public Map<String, String> inDatabase() throws SQLException {
        Map<String, String> companies = new TreeMap<>();
        try (Connection connection = db.getConnection();
                ResultSet row = connection.createStatement().executeQuery(PUBLISHED_COMPANIES)) {
            while (row.next()) {
                companies.put(String.valueOf(row.getInt("id")), row.getString("name") + " @ "
                        + row.getString("modified") + " [" + row.getString("case_studies") + "]");
            }
        }
        return companies;
    }

    /** The compared fields of every document behind {@code alias} (up to 10,000), by id. */
    public Map<String, String> inIndex(SearchIndices search, String alias) throws IOException {
        Map<String, String> companies = new TreeMap<>();
        for (JsonNode document : search.allSources(alias)) {
            List<String> caseStudies = new ArrayList<>();
            document.path("supplier_case_studies")
                    .forEach(caseStudy -> caseStudies.add(caseStudy.path("pk").asText() + ":"
                            + caseStudy.path("title").asText()));
            companies.put(document.path("pk").asText(), document.path("name").asText() + " @ "
                    + document.path("modified").asText() + " [" + String.join("|", caseStudies) + "]");
        }
        return companies;
    }
}
