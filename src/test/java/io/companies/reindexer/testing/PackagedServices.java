package io.companies.reindexer.testing;

import static io.companies.reindexer.testing.ServiceTopics.RUN_TIMEOUT;
import static io.companies.reindexer.testing.ServiceTopics.hasKey;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.apache.http.HttpHost;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.elasticsearch.client.RestClient;
import org.postgresql.ds.PGSimpleDataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the tests of the packaged service share: the real services they and the service talk to (the same properties
 * the README test command passes, with the local stack's defaults), and topics of their own, so the service sees no
 * request from another test.
 */
public final class PackagedServices implements AutoCloseable {

    private final String jdbcUrl = System.getProperty("quarkus.datasource.jdbc.url",
            "jdbc:postgresql://localhost:5432/companies_test");
    private final String bootstrapServers = System.getProperty("kafka.bootstrap.servers", "localhost:9092");
    private final String engineHost = System.getProperty("quarkus.elasticsearch.hosts", "localhost:9200");
    private final String topicPrefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private final ObjectMapper json = new ObjectMapper();
    private final PGSimpleDataSource dataSource = new PGSimpleDataSource();
    private final RestClient engine;

    public PackagedServices() {
        dataSource.setURL(jdbcUrl);
        dataSource.setUser("companies");
        dataSource.setPassword("companies");
        engine = RestClient.builder(HttpHost.create("http://" + engineHost)).build();
        ensureTopics(topicPrefix + "requested", topicPrefix + "completed", topicPrefix + "requested-dlq");
    }

    /** Creates these topics unless they exist: a watcher opened on a topic that does not exist yet sees nothing. */
    public void ensureTopics(String... topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = Stream.of(topics).filter(topic -> !existing.contains(topic))
                    .map(topic -> new NewTopic(topic, 1, (short) 1)).toList();
            admin.createTopics(missing).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create the test topics " + List.of(topics), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Adds a SCRAM-SHA-512 user of the broker, for its SASL_SSL listener, and returns once the broker knows it. */
    public void addKafkaUser(String user, String password) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all().get();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> admin.describeUserScramCredentials(List.of(user)).all().get().containsKey(user));
        }
    }

    /**
     * Forgets every request, run and pending outcome, as for a first deployment: requests left waiting by an earlier
     * test (a killed service, a stopped test application) would otherwise be served by the next service started.
     */
    public void forgetServiceState() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DO $$ BEGIN IF to_regclass('reindexer.reindex_run') IS NOT NULL THEN"
                    // CASCADE: the tables that reference the runs (requests, the slices) go too.
                    + " TRUNCATE reindexer.outcome_outbox, reindexer.reindex_request, reindexer.reindex_run CASCADE;"
                    + " END IF; END $$");
        }
    }

    /**
     * Source tables holding {@code companies} generated companies (from {@code seed}) and a service that remembers no
     * request nor run: the start of most packaged tests.
     */
    public SourceRows freshSource(int companies, double seed) throws SQLException, IOException {
        SourceRows rows = new SourceRows(dataSource);
        rows.reset();
        forgetServiceState();
        rows.generate(companies, seed);
        return rows;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public SearchIndices search() {
        return new SearchIndices(engine);
    }

    public URI engineAddress() {
        return URI.create("http://" + engineHost);
    }

    /** Configuration for a service process: these services, these topics, and small pages so runs take a while. */
    public Map<String, String> serviceProperties() {
        Map<String, String> properties = new TreeMap<>();
        properties.put("quarkus.datasource.jdbc.url", jdbcUrl);
        properties.put("kafka.bootstrap.servers", bootstrapServers);
        properties.put("quarkus.elasticsearch.hosts", engineHost);
        properties.put("reindex.topics.requested", topicPrefix + "requested");
        properties.put("reindex.topics.completed", topicPrefix + "completed");
        properties.put("reindex.topics.dead-letter", topicPrefix + "requested-dlq");
        properties.put("reindex.source.page-size", "100");
        properties.put("reindex.bulk.max-documents", "200");
        properties.put("reindex.poll-interval", "1s");
        // Several slices a run, and a claim that lapses soon after its instance died.
        properties.put("reindex.slices.size", "2000");
        properties.put("reindex.slices.lease", "10s");
        properties.put("reindex.swap.retire-grace", "1s");
        // The tests share one alias and each loads a source of its own size: the shrink guard would refuse the next
        // test's smaller one (ShrinkGuardFlowTest shows the guard).
        properties.put("reindex.swap.min-ratio", "0");
        // Nor rebuild by themselves when an earlier test left an index of another definition behind the alias.
        properties.put("reindex.rebuild-on-change", "false");
        // A killed consumer keeps its partition until its session expires (45 s by default): the restarted service
        // would wait that long for the requests.
        properties.put("mp.messaging.incoming.reindex-requested.session.timeout.ms", "8000");
        return properties;
    }

    /** {@link #serviceProperties()} for a service that reaches the engine at {@code engineHost}, a proxy of a test's. */
    public Map<String, String> serviceProperties(String engineHost) {
        Map<String, String> properties = serviceProperties();
        properties.put("quarkus.elasticsearch.hosts", engineHost);
        return properties;
    }

    public Requests requests() {
        return new Requests(bootstrapServers, topicPrefix + "requested");
    }

    public TopicWatcher watchOutcomes() {
        return new TopicWatcher(bootstrapServers, topicPrefix + "completed");
    }

    public TopicWatcher watch(String topic) {
        ensureTopics(topic);
        return new TopicWatcher(bootstrapServers, topic);
    }

    public String request(Requests requests, String requestId) {
        requests.send(requestId, "{\"requestId\":\"" + requestId + "\",\"requestedBy\":\"it\"}");
        return requestId;
    }

    public JsonNode outcome(TopicWatcher outcomes, String requestId) throws IOException {
        return outcome(outcomes, requestId, RUN_TIMEOUT);
    }

    /** The outcome of a run that may take longer than a test run usually does. */
    public JsonNode outcome(TopicWatcher outcomes, String requestId, Duration timeout) throws IOException {
        return json.readTree(outcomes.await(record -> hasKey(record, requestId), timeout).value());
    }

    /** Every outcome for {@code requestId} seen until the topic stays quiet for {@code quiet}. */
    public List<JsonNode> allOutcomes(TopicWatcher outcomes, String requestId, Duration quiet) throws IOException {
        List<JsonNode> all = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : outcomes.drain(quiet)) {
            if (hasKey(record, requestId)) {
                all.add(json.readTree(record.value()));
            }
        }
        return all;
    }

    /** The pid of the instance leading the run in progress, or 0 while none does. */
    public long runningLeaderPid() throws SQLException {
        try (Connection connection = dataSource().getConnection();
                ResultSet row = connection.createStatement().executeQuery("""
                        select instance from reindexer.reindex_run where state = 'RUNNING' and instance is not null
                        order by id desc limit 1""")) {
            return row.next() ? Long.parseLong(row.getString(1).split("/")[1]) : 0;
        }
    }

    public static String newRequestId() {
        return UUID.randomUUID().toString();
    }

    @Override
    public void close() throws IOException {
        engine.close();
    }
}
