package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static io.companies.reindexer.testing.ServiceTopics.hasKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.companies.reindexer.api.Tokens;
import io.companies.reindexer.contract.RequestIds;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.StackService;
import io.companies.reindexer.testing.TopicWatcher;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The packaged service while PostgreSQL or Kafka of the test stack is stopped for minutes (through {@code dev/stack.sh
 * down} and {@code up}, see {@link StackService}), and across a SIGKILL before its consumer committed: no request is
 * lost or dead-lettered, the consumer and liveness carry on, a run cut off from the database is resumed into its index
 * once the database is back, every outcome reaches Kafka exactly once after a broker outage, and a redelivered {@code {}} is
 * the same
 * request.
 *
 * <p>
 * Each test has topics of its own ({@link PackagedServices}); the service's tables are emptied before each one.
 * Needs the stack's environment ({@code STACK_DIR} and the port variables) exported, as {@code dev/stack.sh} must find
 * the very stack the tests use.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutagesIT {

    private static final String ALIAS = "companies";
    private static final Duration POSTGRES_LONG_OUTAGE = Duration.ofMinutes(2);
    private static final Duration POSTGRES_SHORT_OUTAGE = Duration.ofSeconds(30);
    private static final Duration KAFKA_OUTAGE = Duration.ofMinutes(2);
    private static final Duration OUTCOME_TIMEOUT = Duration.ofMinutes(5);
    // The advisory lock of AliasLock: (hashtext(namespace), hashtext(alias)).
    private static final String LOCK_NAMESPACE = "companies-reindexer";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static PackagedServices base;
    private static SearchIndices search;
    private static StackService postgres;
    private static StackService kafka;
    private static long published;

    private PackagedServices services;

    @BeforeAll
    static void loadCompanies() throws Exception {
        base = new PackagedServices();
        search = base.search();
        postgres = StackService.postgres(portOf(
                System.getProperty("quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:5432/companies_test")));
        kafka = StackService.kafka(portOf(System.getProperty("kafka.bootstrap.servers", "localhost:9092")));
        assertThat(postgres.isUp()).as("dev/stack.sh runs the PostgreSQL the tests use").isTrue();
        assertThat(kafka.isUp()).as("dev/stack.sh runs the Kafka the tests use").isTrue();
        SourceRows rows = new SourceRows(base.dataSource());
        rows.reset();
        rows.generate(10_000, 0.47);
        published = rows.publishedCompanies();
    }

    @AfterAll
    static void close() throws Exception {
        if (base != null) {
            base.close();
        }
    }

    @BeforeEach
    void topicsAndStateOfItsOwn() throws Exception {
        services = new PackagedServices();
        forgetServiceState();
    }

    /** Whatever a test left, the stack is whole again for the next one. */
    @AfterEach
    void stackUpAgain() throws Exception {
        postgres.ensureUp();
        kafka.ensureUp();
        services.close();
    }

    @Test
    @Order(1)
    void aRedeliveredEmptyRequestIsTheSameRequestAndRunsOnce() throws Exception {
        Map<String, String> properties = services.serviceProperties();
        // The consumer must not commit between the request being recorded and the kill; with the default 5 s the kill
        // below (within milliseconds) would almost always come first anyway: this makes it certain.
        properties.put("mp.messaging.incoming.reindex-requested.auto.commit.interval.ms", "60000");
        String requestTopic = properties.get("reindex.topics.requested");
        Timestamp since = databaseNow();
        try (TopicWatcher outcomes = services.watchOutcomes();
                KafkaProducer<byte[], byte[]> producer = producer()) {
            String requestId;
            long offset;
            long killedAfterMs;
            Long committed;
            // Held as another instance running a reindex of the alias would hold it: the first service records the
            // request but cannot start its run, so the kill interrupts no run and only the redelivery is at stake.
            try (Connection otherInstance = base.dataSource().getConnection()) {
                lock(otherInstance);
                try (ServiceProcess service = ServiceProcess.start("outages-redelivered-1", properties)) {
                    RecordMetadata sent = producer
                            .send(new ProducerRecord<>(requestTopic, null, "{}".getBytes(StandardCharsets.UTF_8)))
                            .get();
                    offset = sent.offset();
                    requestId = RequestIds.ofRecord(sent.topic(), sent.partition(), sent.offset());
                    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(10))
                            .until(() -> requestRows(requestId) == 1);
                    long recorded = System.nanoTime();
                    service.kill();
                    killedAfterMs = (System.nanoTime() - recorded) / 1_000_000;
                    assertThat(service.log()).as("the first service received {} as request %s", requestId)
                            .containsOnlyOnce("Request " + requestId + " received");
                }
                assertThat(killedAfterMs).as("SIGKILL %d ms after the request row appeared", killedAfterMs)
                        .isLessThan(500);
                assertThat(runIdOf(requestId)).as("no run claimed request %s before the kill", requestId).isNull();
                committed = committedOffset("companies-reindexer", requestTopic);
                Long committedThen = committed;
                assertThat(committedThen == null || committedThen <= offset)
                        .as("committed offset %s of the killed consumer is not past the record at offset %d, so"
                                + " Kafka delivers it again", committedThen, offset)
                        .isTrue();
                unlock(otherInstance);
            }

            try (ServiceProcess service = ServiceProcess.start("outages-redelivered-2", properties)) {
                JsonNode outcome = outcome(outcomes, requestId);
                assertThat(outcome.get("status").asText()).as("outcome of %s: %s", requestId, outcome)
                        .isEqualTo("COMPLETED");
                assertThat(outcome.get("documents").asLong()).isEqualTo(published);
                String log = service.log();
                assertThat(log).as("the restarted service received the same record again, as request %s", requestId)
                        .contains("Request " + requestId + " received");
                assertThat(log).as("and recognised it as the request already recorded")
                        .containsAnyOf("Request " + requestId + " is already waiting or running: no new run",
                                "Request " + requestId + " already has an outcome: publishing it again, no new run");
                assertThat(requestRowsSince(since)).as("request rows recorded since the test started (one {}, delivered"
                        + " twice)").isEqualTo(1);
                Long runId = runIdOf(requestId);
                assertThat(runId).as("run of request %s", requestId).isNotNull();
                assertThat(runsSince(since)).as("runs started since the test started").containsExactly(
                        runId + ":COMPLETED");
                List<JsonNode> copies = services.allOutcomes(outcomes, requestId, Duration.ofSeconds(3));
                assertThat(copies).as("%d outcome copies of %s", copies.size(), requestId).isNotEmpty()
                        .allSatisfy(copy -> assertThat(copy).isEqualTo(outcome));
                assertThat(outcomes.drain(Duration.ofMillis(200))).as("outcomes on the topic, by key")
                        .allSatisfy(record -> assertThat(hasKey(record, requestId)).isTrue());
                System.out.printf("OutagesIT redelivered {}: request %s (offset %d) recorded, SIGKILL %d ms later;"
                        + " committed offset then %s; after the restart %d request row, runs %s, %d outcome copies,"
                        + " %s%n",
                        requestId, offset, killedAfterMs, committed, requestRowsSince(since), runsSince(since),
                        copies.size(), outcome.get("status").asText());
            }
        }
    }

    @Test
    @Order(2)
    void postgresDownForTwoMinutesWhileRequestsArriveNothingIsLostAndTheServiceStaysLive() throws Exception {
        Map<String, String> properties = services.serviceProperties();
        try (TopicWatcher outcomes = services.watchOutcomes();
                TopicWatcher deadLetters = services.watch(properties.get("reindex.topics.dead-letter"));
                Requests requests = services.requests();
                ServiceProcess service = ServiceProcess.start("outages-postgres-idle", properties)) {
            JsonNode first = outcome(outcomes, services.request(requests, newRequestId()));
            assertThat(first.get("status").asText()).as("first outcome %s", first).isEqualTo("COMPLETED");

            String during;
            String late = null;
            boolean lateReceivedWhileDown;
            List<String> liveness = new ArrayList<>();
            try {
                postgres.stop();
                long down = System.nanoTime();
                during = services.request(requests, newRequestId());
                for (int mark = 10; mark <= POSTGRES_LONG_OUTAGE.toSeconds(); mark += 10) {
                    sleepUntil(down, Duration.ofSeconds(mark));
                    Health health = liveness(service);
                    liveness.add(secondsSince(down) + "s:" + health.code() + ":" + health.status());
                    if (mark == 90) {
                        // Past the 60 s after which the throttled commit strategy used to stop the consumer for good.
                        late = services.request(requests, newRequestId());
                    }
                }
                assertThat(liveness).as("GET /q/health/live every 10 s while PostgreSQL was down: %s", liveness)
                        .hasSize(12).allSatisfy(check -> assertThat(check).endsWith(":200:UP"));
                String log = service.log();
                assertThat(log).as("the request published at the start of the outage reached the intake")
                        .contains("Request " + during + " received");
                long attempts = count(log, "Request " + during + " not recorded yet, trying again in");
                assertThat(attempts).as("%d attempts to record %s during the outage (1 s doubling to 30 s)", attempts,
                        during).isGreaterThanOrEqualTo(5);
                assertThat(log).as("no record waited too long for the throttled commit strategy")
                        .doesNotContain("has waited for");
                // The listener goes on while requests wait to be recorded: the consumer reads what comes behind them.
                lateReceivedWhileDown = log.contains("Request " + late + " received");
                assertThat(lateReceivedWhileDown).as("the request published 90 s into the outage was read meanwhile")
                        .isTrue();
                List<String> waiting = List.of(during, late);
                assertThat(outcomes.drain(Duration.ofMillis(500))).as("no outcome while PostgreSQL is down")
                        .noneMatch(record -> hasKey(record, waiting.get(0)) || hasKey(record, waiting.get(1)));
            } finally {
                postgres.ensureUp();
            }
            long up = System.nanoTime();

            JsonNode duringOutcome = outcome(outcomes, during);
            long duringAfter = secondsSince(up);
            JsonNode lateOutcome = outcome(outcomes, late);
            long lateAfter = secondsSince(up);
            assertThat(duringOutcome.get("status").asText()).as("outcome %s, %d s after PostgreSQL was back",
                    duringOutcome, duringAfter).isEqualTo("COMPLETED");
            assertThat(duringOutcome.get("documents").asLong()).isEqualTo(published);
            assertThat(lateOutcome.get("status").asText()).as("outcome of the request published 90 s into the outage"
                    + " %s, %d s after PostgreSQL was back", lateOutcome, lateAfter).isEqualTo("COMPLETED");
            assertThat(search.aliasTargets(ALIAS)).containsExactly(lateOutcome.get("index").asText());

            Health health = liveness(service);
            assertThat(health.code() + ":" + health.status()).as("liveness after the outage: %s", health.body())
                    .isEqualTo("200:UP");
            JsonNode afterOutcome = outcome(outcomes, services.request(requests, newRequestId()));
            assertThat(afterOutcome.get("status").asText()).as("request after the recovery: %s", afterOutcome)
                    .isEqualTo("COMPLETED");
            assertThat(deadLetters.drain(Duration.ofSeconds(1))).as("dead letters").isEmpty();
            System.out.printf("OutagesIT postgres 2 min: liveness %s; %d attempts to record %s; request published 90 s"
                    + " in received before PostgreSQL was back: %s; outcomes %d s and %d s after PostgreSQL was back%n",
                    liveness, count(service.log(), "Request " + during + " not recorded yet"), during,
                    lateReceivedWhileDown, duringAfter, lateAfter);
        }
    }

    @Test
    @Order(3)
    void postgresDownForThirtySecondsDuringALoadTheRunIsResumedOnceTheDatabaseIsBack() throws Exception {
        Map<String, String> properties = services.serviceProperties();
        try (TopicWatcher outcomes = services.watchOutcomes();
                Requests requests = services.requests();
                ServiceProcess service = ServiceProcess.start("outages-postgres-load", properties)) {
            String good = outcome(outcomes, services.request(requests, newRequestId())).get("index").asText();
            String cutOff = services.request(requests, newRequestId());
            String partial = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                    .until(() -> search.filling(good, 2_000), index -> index != null);
            long filled = search.indexOperations(partial);
            Instant back;
            try {
                postgres.stop();
                long down = System.nanoTime();
                sleepUntil(down, POSTGRES_SHORT_OUTAGE);
                assertThat(search.aliasTargets(ALIAS)).as("alias while PostgreSQL is down").containsExactly(good);
                assertThat(search.count(ALIAS)).isEqualTo(published);
                assertThat(search.exists(partial)).as("the run's index is kept, to resume").isTrue();
                assertThat(outcomes.drain(Duration.ofMillis(500))).as("no outcome before the database is back")
                        .noneMatch(record -> hasKey(record, cutOff));
            } finally {
                back = Instant.now();
                postgres.ensureUp();
            }
            long up = System.nanoTime();

            JsonNode resumed = outcome(outcomes, cutOff);
            long publishedAfter = secondsSince(up);
            assertThat(resumed.get("status").asText()).as("outcome %s, %d s after PostgreSQL was back", resumed,
                    publishedAfter).isEqualTo("COMPLETED");
            assertThat(resumed.get("index").asText()).isEqualTo(partial);
            assertThat(resumed.get("documents").asLong()).isEqualTo(published);
            assertThat(Instant.parse(resumed.get("completedAt").asText())).isAfter(back);
            assertThat(service.log()).contains("resuming with index " + partial);
            assertThat(runsSince(Timestamp.from(Instant.EPOCH))).as("runs").hasSize(2)
                    .endsWith(runIdOf(cutOff) + ":COMPLETED");
            assertThat(search.indices("companies-*")).containsExactly(partial);
            assertThat(search.aliasTargets(ALIAS)).containsExactly(partial);
            assertThat(liveness(service).code()).isEqualTo(200);
            System.out.printf("OutagesIT postgres 30 s during a load: PostgreSQL stopped at %d index operations of %s;"
                    + " the run was resumed and COMPLETED (durationMs %d) %d s after PostgreSQL was back%n", filled,
                    partial, resumed.get("durationMs").asLong(), publishedAfter);
        }
    }

    @Test
    @Order(4)
    void kafkaDownForTwoMinutesEachOutcomeInTheOutboxIsPublishedExactlyOnce() throws Exception {
        Map<String, String> properties = services.serviceProperties();
        // POST /reindex takes a bearer token with the reindex-admin role: the service trusts the tests' issuer.
        properties.putAll(Tokens.verification());
        String outcomeTopic = properties.get("reindex.topics.completed");
        try (TopicWatcher outcomes = services.watchOutcomes();
                Requests requests = services.requests();
                ServiceProcess service = ServiceProcess.start("outages-kafka", properties)) {
            // One outcome through Kafka first: the producer knows the topic before the broker goes away.
            JsonNode first = outcome(outcomes, services.request(requests, newRequestId()));
            assertThat(first.get("status").asText()).isEqualTo("COMPLETED");
            long from = endOffset(outcomeTopic);

            String rejected = newRequestId();
            String a = newRequestId();
            String b = newRequestId();
            List<String> all = List.of(rejected, a, b);
            long recordedAfter;
            long outboxWhileDown;
            try {
                kafka.stop();
                long down = System.nanoTime();
                // In the outbox at once, so its first send outlives the producer's delivery timeout (2 minutes): the
                // producer gives up on it while the broker is away, and the relay sends it again.
                HttpResponse<String> postRejected = post(service,
                        "{\"requestId\":\"" + rejected + "\",\"alias\":\"not-managed\"}");
                assertThat(postRejected.statusCode() + " " + postRejected.body())
                        .as("POST /reindex while Kafka is down")
                        .startsWith("202").contains("\"REJECTED\"");
                // Two requests served by one run: held back by the run lock, as by another instance's run, until both
                // are recorded.
                try (Connection otherInstance = base.dataSource().getConnection()) {
                    lock(otherInstance);
                    for (String id : List.of(a, b)) {
                        HttpResponse<String> posted = post(service, "{\"requestId\":\"" + id + "\"}");
                        assertThat(posted.statusCode() + " " + posted.body()).as("POST /reindex while Kafka is down")
                                .startsWith("202").contains("\"ACCEPTED\"");
                    }
                    unlock(otherInstance);
                }
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                        .until(() -> outcomeOf(a) != null && outcomeOf(b) != null);
                recordedAfter = secondsSince(down);
                outboxWhileDown = outboxRows(rejected) + outboxRows(a) + outboxRows(b);
                assertThat(outboxWhileDown).as("outbox rows of %s while Kafka is down, %d s into the outage", all,
                        recordedAfter).isEqualTo(3);
                assertThat(outcomeOf(a).get("status").asText()).isEqualTo("COMPLETED");
                assertThat(outcomeOf(b).get("status").asText()).isEqualTo("COMPLETED");
                assertThat(runIdOf(a)).as("one run for both requests").isEqualTo(runIdOf(b));
                assertThat(liveness(service).code()).as("liveness while Kafka is down").isEqualTo(200);
                sleepUntil(down, KAFKA_OUTAGE);
            } finally {
                kafka.ensureUp();
            }
            long up = System.nanoTime();

            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> outboxRows() == 0);
            long emptyAfter = secondsSince(up);
            List<ConsumerRecord<byte[], byte[]>> records = readUntilQuiet(outcomeTopic, from, Duration.ofSeconds(10));
            List<String> copies = new ArrayList<>();
            for (String id : all) {
                List<JsonNode> ofId = values(records, id);
                copies.add(id + ":" + ofId.size());
                assertThat(ofId).as("copies of the outcome of %s on the topic (outbox empty %d s after Kafka was back)",
                        id, emptyAfter).hasSize(1);
            }
            JsonNode rejection = values(records, rejected).getFirst();
            assertThat(rejection.get("status").asText()).as("outcome %s", rejection).isEqualTo("REJECTED");
            assertThat(rejection.get("error").asText()).contains("not-managed");
            assertThat(values(records, a).getFirst()).as("published outcome of %s = recorded outcome", a)
                    .isEqualTo(outcomeOf(a));
            assertThat(values(records, b).getFirst()).as("published outcome of %s = recorded outcome", b)
                    .isEqualTo(outcomeOf(b));
            assertThat(records).as("records on the outcome topic after the outage").hasSize(3);
            assertThat(outboxRows()).as("rows left in reindexer.outcome_outbox").isZero();
            long givenUp = count(service.log(), "Kafka did not take outbox row");
            System.out.printf("OutagesIT kafka 2 min: outcomes recorded %d s into the outage, %d outbox rows while"
                    + " down; outbox empty %d s after Kafka was back; copies %s; %d sends given up by the producer"
                    + " and sent again%n", recordedAfter, outboxWhileDown, emptyAfter, copies, givenUp);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private record Health(int code, String status, String body) {
    }

    private static Health liveness(ServiceProcess service) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(service.baseUri().resolve("/q/health/live"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        String status;
        try {
            status = JSON.readTree(response.body()).path("status").asText();
        } catch (Exception e) {
            status = "unreadable";
        }
        return new Health(response.statusCode(), status, response.body());
    }

    /** {@code POST /reindex} as an operator with the {@code reindex-admin} role (the tests' token issuer). */
    private static HttpResponse<String> post(ServiceProcess service, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(service.baseUri().resolve("/reindex"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + Tokens.admin())
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void sleepUntil(long startNanos, Duration elapsed) throws InterruptedException {
        long left = startNanos + elapsed.toNanos() - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }

    private static long secondsSince(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toSeconds();
    }

    /** The first outcome for {@code requestId}; runs take a minute or more on a busy 2-core machine. */
    private static JsonNode outcome(TopicWatcher outcomes, String requestId) throws Exception {
        return JSON.readTree(outcomes.await(record -> hasKey(record, requestId), OUTCOME_TIMEOUT).value());
    }

    private static long count(String text, String fragment) {
        long count = 0;
        for (int at = text.indexOf(fragment); at >= 0; at = text.indexOf(fragment, at + fragment.length())) {
            count++;
        }
        return count;
    }

    private static int portOf(String address) {
        Matcher port = Pattern.compile(":(\\d+)(/|$|,)").matcher(address);
        if (!port.find()) {
            throw new IllegalArgumentException("No port in " + address);
        }
        return Integer.parseInt(port.group(1));
    }

    // --- the service's tables ------------------------------------------------------------------------------------

    /** Empties the service's tables (no service runs now): every test starts as a first deployment. */
    private static void forgetServiceState() throws SQLException {
        try (Connection connection = base.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("DO $$ BEGIN IF to_regclass('reindexer.reindex_run') IS NOT NULL THEN TRUNCATE"
                    + " reindexer.run_slice, reindexer.outcome_outbox, reindexer.reindex_request,"
                    + " reindexer.reindex_run; END IF; END $$");
        }
    }

    private static Timestamp databaseNow() throws SQLException {
        try (Connection connection = base.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select now()")) {
            rows.next();
            return rows.getTimestamp(1);
        }
    }

    private static long requestRows(String requestId) throws SQLException {
        return queryLong("select count(*) from reindexer.reindex_request where request_id = ?", requestId);
    }

    private static long requestRowsSince(Timestamp since) throws SQLException {
        return queryLong("select count(*) from reindexer.reindex_request where received_at >= ?", since);
    }

    private static Long runIdOf(String requestId) throws SQLException {
        try (Connection connection = base.dataSource().getConnection();
                PreparedStatement select = connection
                        .prepareStatement("select run_id from reindexer.reindex_request where request_id = ?")) {
            select.setString(1, requestId);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? (Long) rows.getObject(1) : null;
            }
        }
    }

    /** {@code <id>:<state>} of every run started since {@code since}, oldest first. */
    private static List<String> runsSince(Timestamp since) throws SQLException {
        List<String> runs = new ArrayList<>();
        try (Connection connection = base.dataSource().getConnection();
                PreparedStatement select = connection
                        .prepareStatement("select id, state from reindexer.reindex_run where started_at >= ? order by id")) {
            select.setTimestamp(1, since);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    runs.add(rows.getLong(1) + ":" + rows.getString(2));
                }
            }
        }
        return runs;
    }

    /** The outcome recorded for a request, or null. */
    private static JsonNode outcomeOf(String requestId) throws Exception {
        try (Connection connection = base.dataSource().getConnection();
                PreparedStatement select = connection
                        .prepareStatement("select outcome from reindexer.reindex_request where request_id = ?")) {
            select.setString(1, requestId);
            try (ResultSet rows = select.executeQuery()) {
                String outcome = rows.next() ? rows.getString(1) : null;
                return outcome == null ? null : JSON.readTree(outcome);
            }
        }
    }

    private static long outboxRows(String requestId) throws SQLException {
        return queryLong("select count(*) from reindexer.outcome_outbox where request_id = ?", requestId);
    }

    private static long outboxRows() throws SQLException {
        return queryLong("select count(*) from reindexer.outcome_outbox");
    }

    private static long queryLong(String sql, Object... parameters) throws SQLException {
        try (Connection connection = base.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static void lock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection
                .prepareStatement("select pg_advisory_lock(hashtext(?), hashtext(?))")) {
            lock.setString(1, LOCK_NAMESPACE);
            lock.setString(2, ALIAS);
            lock.execute();
        }
    }

    private static void unlock(Connection connection) throws SQLException {
        try (PreparedStatement unlock = connection
                .prepareStatement("select pg_advisory_unlock(hashtext(?), hashtext(?))")) {
            unlock.setString(1, LOCK_NAMESPACE);
            unlock.setString(2, ALIAS);
            try (ResultSet rows = unlock.executeQuery()) {
                rows.next();
                assertThat(rows.getBoolean(1)).as("the test held the run lock of alias %s", ALIAS).isTrue();
            }
        }
    }

    // --- Kafka -----------------------------------------------------------------------------------------------------

    private static String bootstrapServers() {
        return System.getProperty("kafka.bootstrap.servers", "localhost:9092");
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(config);
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(config);
    }

    /** The committed offset of {@code group} on partition 0 of {@code topic}, or null. */
    private static Long committedOffset(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(topic, 0));
            return committed == null ? null : committed.offset();
        }
    }

    private static long endOffset(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            TopicPartition partition = new TopicPartition(topic, 0);
            return consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
        }
    }

    /** Every record of partition 0 of {@code topic} from {@code offset}, read until none came for {@code quiet}. */
    private static List<ConsumerRecord<byte[], byte[]>> readUntilQuiet(String topic, long offset, Duration quiet) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seek(partition, offset);
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < quiet.toNanos()) {
                var polled = consumer.poll(Duration.ofMillis(200));
                if (!polled.isEmpty()) {
                    polled.forEach(records::add);
                    quietSince = System.nanoTime();
                }
            }
        }
        return records;
    }

    private static List<JsonNode> values(List<ConsumerRecord<byte[], byte[]>> records, String key) throws Exception {
        List<JsonNode> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (hasKey(record, key)) {
                values.add(JSON.readTree(record.value()));
            }
        }
        return values;
    }
}
