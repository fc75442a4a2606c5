package io.companies.reindexer.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

/**
 * The source tables in the real PostgreSQL, as the owning application would fill them: created from the project's
 * dev DDL ({@code dev/sql}) and loaded with the project's deterministic generator or with hand-written rows.
 */
public final class SourceRows {

    private static final List<String> PRIVATE_COLUMNS = List.of("email_address", "mobile_number", "postal_full_name",
            "address_line_1", "address_line_2", "locality", "country", "postal_code", "po_box", "email_full_name",
            "verification_code");

    private final DataSource dataSource;

    public SourceRows(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates the tables and the generator if needed and empties the tables. */
    public void reset() throws SQLException, IOException {
        execute(Files.readString(Path.of("dev/sql/source-schema.sql")));
        execute(Files.readString(Path.of("dev/sql/generate-companies.sql")));
        execute("TRUNCATE company_company, company_companycasestudy RESTART IDENTITY CASCADE");
    }

    /** Appends {@code count} generated companies with their case studies. */
    public void generate(int count, double seed) throws SQLException {
        execute("SELECT generate_companies(" + count + ", " + seed + ")");
    }

    public long publishedCompanies() throws SQLException {
        return queryLong("SELECT count(*) FROM company_company"
                + " WHERE is_published_find_a_supplier OR is_published_investment_support_directory");
    }

    /** Every non-empty value of the private columns. */
    public List<String> privateValues() throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT " + String.join(", ", PRIVATE_COLUMNS)
                        + " FROM company_company")) {
            while (rows.next()) {
                for (int column = 1; column <= PRIVATE_COLUMNS.size(); column++) {
                    String value = rows.getString(column);
                    if (value != null && !value.isBlank()) {
                        values.add(value);
                    }
                }
            }
        }
        return values;
    }

    /**
     * Inserts a company with the given products-and-services JSON and returns its id. All other values are fixed
     * and known, see {@code ReindexFlowTest#handWrittenDocument}.
     */
    public int insertCompany(String name, boolean published, String productsServicesJson) throws SQLException {
        String sql = """
                INSERT INTO company_company (created, modified, name, number, company_type, summary, description,
                    employees, keywords, website, twitter_url, facebook_url, linkedin_url, logo, slug, date_of_creation,
                    sectors, expertise_industries, expertise_regions, expertise_countries, expertise_languages,
                    expertise_products_services, is_published_find_a_supplier, is_published_investment_support_directory,
                    is_showcase_company, email_address, mobile_number, postal_full_name, address_line_1, address_line_2,
                    locality, country, postal_code, po_box, email_full_name, verification_code)
                VALUES ('2020-01-01T00:00:00Z', '2026-11-24T10:00:00.123456Z', ?, NULL, 'CHARITY', 'Hand-made summary',
                    'Colorful behavior of airplanes', '51-200', 'hand, made', 'https://hand.example', '', '',
                    'https://linkedin.example/hand', '', 'hand-made', '1999-12-31',
                    '["AEROSPACE", "AIRPORTS"]', '["AIRPORTS"]', '["NORTH_EAST", "NOWHERE"]', '["FR"]', '["fr", "de"]',
                    ?::jsonb, false, ?, false,
                    'hand-secret@example.invalid', '+44 7700 900123', 'Secret Person', '1 Hidden Road', 'Flat 9',
                    'Secretville', 'Secretland', 'SE1 2CR', 'PO Box 77', 'Secret Emailer', 'VERIFY-HAND-123')
                RETURNING id""";
        return insertReturningId(sql, name, productsServicesJson, published);
    }

    /** Inserts a case study of {@code companyId} and returns its id. */
    public int insertCaseStudy(int companyId, String title, boolean published) throws SQLException {
        String sql = """
                INSERT INTO company_companycasestudy (company_id, created, modified, title, short_summary, description,
                    sector, website, keywords, image_one, image_two, image_three, video_one, image_one_caption,
                    image_two_caption, image_three_caption, testimonial, testimonial_name, testimonial_job_title,
                    testimonial_company, slug, is_published_case_study)
                VALUES (?, '2021-01-01T00:00:00Z', '2021-01-02T00:00:00Z', ?, 'Short', 'Long', 'AIRPORTS',
                    'https://study.example', 'runway', 'images/1.png', '', '', '', 'One', '', '', 'Superb', 'Ann Smith',
                    'CEO', 'Client Ltd', 'study', ?)
                RETURNING id""";
        return insertReturningId(sql, companyId, title, published);
    }

    private int insertReturningId(String sql, Object... parameters) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                insert.setObject(i + 1, parameters[i]);
            }
            try (ResultSet id = insert.executeQuery()) {
                id.next();
                return id.getInt(1);
            }
        }
    }

    public void deleteCompany(int id) throws SQLException {
        execute("DELETE FROM company_company WHERE id = " + id);
    }

    /** Unpublishes the first {@code count} published companies, by id, as a migration gone wrong would. */
    public void unpublish(long count) throws SQLException {
        execute("UPDATE company_company SET is_published_find_a_supplier = false,"
                + " is_published_investment_support_directory = false, modified = clock_timestamp() WHERE id IN"
                + " (SELECT id FROM company_company WHERE is_published_find_a_supplier"
                + " OR is_published_investment_support_directory ORDER BY id LIMIT " + count + ")");
    }

    private long queryLong(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
