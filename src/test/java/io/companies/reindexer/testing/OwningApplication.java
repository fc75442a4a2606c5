package io.companies.reindexer.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The application that owns the source tables, writing as the data model says it does: one thread commits a random
 * change to {@code company_company} or {@code company_companycasestudy} at a steady rate, then writes that company's
 * document through the alias ({@code PUT}, or {@code DELETE} after a delete or an unpublish), with no version and no
 * refresh. Changes rows of the given database and documents behind the alias; counts the writes the engine refused.
 */
public final class OwningApplication implements AutoCloseable {

    private static final int KEPT_PROBLEMS = 20;
    private static final int SUMMARIZED_PROBLEMS = 5;
    private static final int KEPT_LOG = 1000;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final String PUBLISHED = "(is_published_find_a_supplier OR is_published_investment_support_directory)";

    private static final String INSERT_COMPANY = """
            INSERT INTO company_company (created, modified, name, number, company_type, summary, description,
                employees, keywords, website, twitter_url, facebook_url, linkedin_url, logo, slug, date_of_creation,
                sectors, expertise_industries, expertise_regions, expertise_countries, expertise_languages,
                expertise_products_services, is_published_find_a_supplier, is_published_investment_support_directory,
                is_showcase_company, email_address, mobile_number, postal_full_name, address_line_1, address_line_2,
                locality, country, postal_code, po_box, email_full_name, verification_code)
            VALUES (clock_timestamp(), clock_timestamp(), ?, NULL, 'SOLE_TRADER', 'Inserted', 'Inserted meanwhile',
                '1-10', 'inserted', 'https://inserted.example', '', '', '', '', 'inserted', NULL, '["AEROSPACE"]', '[]',
                '["LONDON"]', '["GB"]', '["en"]', '{}', true, false, false, 'inserted-secret@example.invalid',
                '+44 7700 900456', 'Secret Owner', '2 Hidden Road', '', 'Secretville', 'Secretland', 'SE1 3CR', '',
                'Secret Owner', 'VERIFY-INSERTED')
            RETURNING id""";

    private enum Kind {
        RENAME,
        UNPUBLISH,
        PUBLISH,
        DELETE,
        INSERT,
        EDIT_CASE_STUDY
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final DataSource db;
    private final URI documents;
    private final IntFunction<String> documentOf;
    private final Random random;
    private final long period;
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final List<String> problems = new ArrayList<>();
    private final Deque<String> log = new ArrayDeque<>();
    private final Thread thread;

    private OwningApplication(DataSource db, URI engine, String alias, double changesPerSecond,
            IntFunction<String> documentOf, long seed) {
        this.db = db;
        this.documents = engine.resolve("/" + alias + "/_doc/");
        this.documentOf = documentOf;
        this.random = new Random(seed);
        this.period = (long) (TimeUnit.SECONDS.toNanos(1) / changesPerSecond);
        this.thread = Thread.ofPlatform().daemon().name("owning-application").unstarted(this::changeUntilClosed);
    }

    /**
     * Starts changing {@code changesPerSecond} times a second. {@code documentOf} gives the search document of a
     * company as the database has it now, or null when the company is not published or does not exist.
     */
    public static OwningApplication start(DataSource db, URI engine, String alias, double changesPerSecond,
            IntFunction<String> documentOf, long seed) {
        OwningApplication application = new OwningApplication(db, engine, alias, changesPerSecond, documentOf, seed);
        application.thread.start();
        return application;
    }

    private void changeUntilClosed() {
        long due = System.nanoTime();
        try {
            do {
                changeOnce();
                // No burst to catch up after a slow change: the rate stays at most the one asked for.
                due = Math.max(due + period, System.nanoTime());
            } while (!stop.await(due - System.nanoTime(), TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void changeOnce() {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        double point = random.nextDouble();
        try {
            Integer companyId = commit(kind, point);
            if (companyId == null) {
                log(kind + ": no row to change");
                return;
            }
            changes.incrementAndGet();
            boolean removed = kind == Kind.UNPUBLISH || kind == Kind.DELETE;
            String document = removed ? null : documentOf.apply(companyId);
            log(kind + " " + companyId + ": " + write(companyId, document));
        } catch (SQLException | RuntimeException e) {
            errors.incrementAndGet();
            problem(kind + " failed: " + e);
        }
    }

    /** Applies one change of this kind in a committed transaction; returns the id of the company, or null. */
    private Integer commit(Kind kind, double point) throws SQLException {
        long n = changes.get() + 1;
        try (Connection connection = db.getConnection()) {
            connection.setAutoCommit(false);
            Integer companyId = switch (kind) {
                case RENAME -> companyId(connection, "UPDATE company_company SET name = name || ?,"
                        + " modified = clock_timestamp() WHERE id = " + randomCompany(PUBLISHED) + " RETURNING id",
                        " r" + n, point);
                case UNPUBLISH -> companyId(connection, "UPDATE company_company SET is_published_find_a_supplier ="
                        + " false, is_published_investment_support_directory = false, modified = clock_timestamp()"
                        + " WHERE id = " + randomCompany(PUBLISHED) + " RETURNING id", point);
                case PUBLISH -> companyId(connection, "UPDATE company_company SET is_published_find_a_supplier = true,"
                        + " modified = clock_timestamp() WHERE id = " + randomCompany("NOT " + PUBLISHED)
                        + " RETURNING id", point);
                case DELETE -> companyId(connection, "DELETE FROM company_company WHERE id = "
                        + randomCompany(PUBLISHED) + " RETURNING id", point);
                case INSERT -> companyId(connection, INSERT_COMPANY, "Inserted company " + n + " of " + run);
                case EDIT_CASE_STUDY -> companyId(connection, "UPDATE company_companycasestudy"
                        + " SET title = left(title || ?, 100), modified = clock_timestamp() WHERE id = (SELECT s.id"
                        + " FROM company_companycasestudy s JOIN company_company c ON c.id = s.company_id"
                        + " WHERE s.is_published_case_study AND " + PUBLISHED + " ORDER BY s.id >= ? * (SELECT max(id)"
                        + " FROM company_companycasestudy) DESC, s.id LIMIT 1) RETURNING company_id", " e" + n, point);
            };
            connection.commit();
            return companyId;
        }
    }

    /** The first company matching {@code condition} from a random point (bound, 0..1) of the ids on, or the first. */
    private static String randomCompany(String condition) {
        return "(SELECT id FROM company_company WHERE " + condition
                + " ORDER BY id >= ? * (SELECT max(id) FROM company_company) DESC, id LIMIT 1)";
    }

    private static Integer companyId(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? row.getInt(1) : null;
            }
        }
    }

    /** PUTs the document, or DELETEs it when null; returns what the engine answered, for the log. */
    private String write(int companyId, String document) {
        HttpRequest.Builder request = HttpRequest.newBuilder(documents.resolve(String.valueOf(companyId)))
                .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json");
        request = document == null ? request.DELETE() : request.PUT(HttpRequest.BodyPublishers.ofString(document));
        String method = document == null ? "DELETE" : "PUT";
        writes.incrementAndGet();
        try {
            HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = parse(answer.body());
            int status = answer.statusCode();
            boolean accepted = document == null
                    ? status == 200 || status == 404 && body.path("result").asText().equals("not_found")
                    : status == 200 || status == 201;
            if (!accepted) {
                refused.incrementAndGet();
                problem(method + " " + companyId + " refused with " + status + ": " + head(answer.body()));
            }
            return method + " " + status + " " + body.path("_index").asText(body.path("error").path("type").asText());
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            refused.incrementAndGet();
            problem(method + " " + companyId + " failed: " + e);
            return method + " " + e;
        }
    }

    private JsonNode parse(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return json.missingNode();
        }
    }

    private static String head(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300);
    }

    private synchronized void problem(String description) {
        if (problems.size() < KEPT_PROBLEMS) {
            problems.add(Instant.now() + " " + description);
        }
    }

    private synchronized void log(String entry) {
        if (log.size() == KEPT_LOG) {
            log.removeFirst();
        }
        log.addLast(Instant.now() + " " + entry);
    }

    /** Changes committed to the database. */
    public long changes() {
        return changes.get();
    }

    /** Writes sent through the alias, accepted or not. */
    public long writes() {
        return writes.get();
    }

    /** Writes the engine did not accept, or that got no answer. */
    public long refused() {
        return refused.get();
    }

    /** Changes that failed before their write (an SQL error, or {@code documentOf} threw). */
    public long errors() {
        return errors.get();
    }

    /** The first problems seen, each with its time. */
    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /** The last changes: time, kind, company id and the engine's answer. */
    public synchronized List<String> log() {
        return List.copyOf(log);
    }

    /** The counts and the first few problems, for an assertion message. */
    public String summary() {
        List<String> first = problems().stream().limit(SUMMARIZED_PROBLEMS).toList();
        return changes() + " changes, " + writes() + " writes, " + refused() + " refused, " + errors() + " errors"
                + (first.isEmpty() ? "" : "; first problems: " + String.join("; ", first));
    }

    /** Stops after the change in progress, its write included, and waits for it. */
    @Override
    public void close() throws InterruptedException {
        stop.countDown();
        thread.join();
        http.close();
    }
}
