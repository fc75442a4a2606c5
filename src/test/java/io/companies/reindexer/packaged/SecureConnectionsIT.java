package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.ServiceProcess.Exit;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.StackTls;
import io.companies.reindexer.testing.TcpProxy;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * The packaged service over TLS to all three services, set as an operator sets it, with environment variables
 * (docs/operations.md, "Secure connections"): Kafka's TLS listener with the private CA in a trust store and a
 * SCRAM-SHA-512 user and password (SASL_SSL), PostgreSQL
 * with {@code sslmode=verify-full} and the CA as {@code sslrootcert}, and the engine over HTTPS with the CA in the TLS
 * registry's configuration {@code engine}. OpenSearch's test distribution has no TLS, so the engine is reached through
 * a TLS-terminating proxy that presents the stack's certificate for localhost. A certificate the service does not
 * trust stops its start (PostgreSQL: Flyway connects at start) or keeps it not ready, with the reason in its
 * readiness check (the engine) or its log (Kafka), and so does a Kafka password the broker does not know.
 */
class SecureConnectionsIT {

    private static final String APPLICATION_NAME = "reindexer-tls-it";
    private static final String ENGINE_CA = "QUARKUS_TLS_ENGINE_TRUST_STORE_PEM_CERTS";
    // What the JDK says when no trusted CA signed the certificate it was shown.
    private static final String UNTRUSTED = "PKIX path building failed";
    private static final String KAFKA_USER = "reindexer";
    private static final String MESSAGING_READINESS = "SmallRye Reactive Messaging - readiness check";

    private final StackTls tls = new StackTls();
    private final ObjectMapper json = new ObjectMapper();
    private final String kafkaPassword = UUID.randomUUID().toString();

    @Test
    void aRequestRunsEndToEndOverTlsToKafkaPostgresqlAndTheEngine() throws Exception {
        try (PackagedServices services = new PackagedServices();
                TcpProxy engine = tlsProxy(services)) {
            SourceRows rows = services.freshSource(500, 0.25);
            long published = rows.publishedCompanies();
            services.addKafkaUser(KAFKA_USER, kafkaPassword);
            Map<String, String> properties = services.serviceProperties();
            Map<String, String> environment = secureEnvironment(properties, engine.port());

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess service = ServiceProcess.start("secure-connections", properties, environment)) {
                JsonNode outcome = services.outcome(outcomes, services.request(requests, newRequestId()));

                assertThat(outcome.get("status").asText()).as(service.log()).isEqualTo("COMPLETED");
                assertThat(outcome.get("documents").asLong()).isEqualTo(published);
                assertThat(services.search().count("companies")).isEqualTo(published);
                assertThat(serviceConnectionsEncrypted(services)).as("the service's connections, encrypted or not")
                        .isNotEmpty().containsOnly(true);
            }
        }
    }

    @Test
    void aServiceThatDoesNotTrustTheEngineNorKafkaStaysNotReadyAndSaysWhy() throws Exception {
        try (PackagedServices services = new PackagedServices();
                TcpProxy engine = tlsProxy(services)) {
            Map<String, String> properties = services.serviceProperties();
            Map<String, String> environment = secureEnvironment(properties, engine.port());
            // Nobody gave the service the private CA for these two: it trusts what the JVM trusts.
            environment.keySet().removeIf(name -> name.equals(ENGINE_CA) || name.startsWith("KAFKA_SSL_TRUSTSTORE_"));

            try (ServiceProcess service = ServiceProcess.startAnswering("untrusted-engine-kafka", properties,
                    environment)) {
                JsonNode readiness = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> readiness(service), body -> down(body, "Elasticsearch cluster health check")
                                && down(body, MESSAGING_READINESS));

                assertThat(readiness.path("status").asText()).isEqualTo("DOWN");
                assertThat(check(readiness, "Elasticsearch cluster health check").path("data").path("reason")
                        .asText()).contains(UNTRUSTED);
                assertThat(check(readiness, "Database connections health check").path("status").asText())
                        .isEqualTo("UP");
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(service.log()).contains("Connection to node -1 (localhost/")
                                .contains("failed authentication due to: SSL handshake failed"));
            }
        }
    }

    @Test
    void aServiceWithAKafkaPasswordTheBrokerDoesNotKnowStaysNotReadyAndSaysWhy() throws Exception {
        try (PackagedServices services = new PackagedServices();
                TcpProxy engine = tlsProxy(services)) {
            services.addKafkaUser(KAFKA_USER, kafkaPassword);
            Map<String, String> properties = services.serviceProperties();
            Map<String, String> environment = secureEnvironment(properties, engine.port());
            environment.compute("KAFKA_SASL_JAAS_CONFIG", (name, jaas) -> jaas.replace(kafkaPassword, "not-it"));

            try (ServiceProcess service = ServiceProcess.startAnswering("wrong-kafka-password", properties,
                    environment)) {
                await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> down(readiness(service), MESSAGING_READINESS));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(service.log())
                        .contains("Authentication failed during authentication due to invalid credentials with SASL"
                                + " mechanism SCRAM-SHA-512"));
            }
        }
    }

    @Test
    void aStartThatDoesNotTrustPostgresqlStopsAndSaysWhy(@TempDir Path dir)
            throws Exception {
        try (PackagedServices services = new PackagedServices()) {
            Map<String, String> environment = secureEnvironment(services.serviceProperties(),
                    ServiceProcess.freePort());
            Path otherCa = StackTls.someOtherCa(dir.resolve("other-ca.crt"));
            environment.compute("QUARKUS_DATASOURCE_JDBC_URL",
                    (name, url) -> url.replace(tls.caCertificate().toString(), otherCa.toString()));

            Exit exit = ServiceProcess.runUntilExit("untrusted-postgresql", environment, Duration.ofMinutes(1));

            assertThat(exit.code()).isNotZero();
            assertThat(exit.log()).contains("Unable to obtain connection from database: SSL error:").contains(UNTRUSTED)
                    .doesNotContain("started in");
        }
    }

    private TcpProxy tlsProxy(PackagedServices services) throws Exception {
        return new TcpProxy(services.engineAddress().getHost(), services.engineAddress().getPort(),
                tls.serverSockets());
    }

    /**
     * The settings of the secure connections, as environment variables (which the properties, set as system
     * properties, would win over: they leave the map), with a trust store and a SCRAM user for Kafka and the CA as PEM
     * for PostgreSQL and the engine.
     */
    private Map<String, String> secureEnvironment(Map<String, String> properties, int enginePort) {
        String jdbcUrl = properties.remove("quarkus.datasource.jdbc.url");
        properties.remove("kafka.bootstrap.servers");
        properties.remove("quarkus.elasticsearch.hosts");
        Map<String, String> environment = new TreeMap<>();
        environment.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?")
                + "sslmode=verify-full&sslrootcert=" + tls.caCertificate() + "&ApplicationName=" + APPLICATION_NAME);
        environment.put("KAFKA_BOOTSTRAP_SERVERS", tls.kafkaBootstrapServers());
        environment.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        environment.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        environment.put("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"" + KAFKA_USER + "\" password=\"" + kafkaPassword + "\";");
        environment.put("KAFKA_SSL_TRUSTSTORE_LOCATION", tls.trustStore().toString());
        environment.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
        environment.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", StackTls.PASSWORD);
        environment.put("QUARKUS_ELASTICSEARCH_HOSTS", "localhost:" + enginePort);
        environment.put("QUARKUS_ELASTICSEARCH_PROTOCOL", "https");
        environment.put(ENGINE_CA, tls.caCertificate().toString());
        return environment;
    }

    private JsonNode readiness(ServiceProcess service) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(service.baseUri().resolve("/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        return json.readTree(answer.body());
    }

    private static boolean down(JsonNode readiness, String check) {
        return check(readiness, check).path("status").asText().equals("DOWN");
    }

    private static JsonNode check(JsonNode readiness, String name) {
        for (JsonNode check : readiness.path("checks")) {
            if (check.path("name").asText().equals(name)) {
                return check;
            }
        }
        return MissingNode.getInstance();
    }

    /** Whether each of the service's open connections to PostgreSQL is encrypted. */
    private static List<Boolean> serviceConnectionsEncrypted(PackagedServices services) throws Exception {
        List<Boolean> encrypted = new ArrayList<>();
        try (Connection connection = services.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a"
                        + " USING (pid) WHERE a.application_name = '" + APPLICATION_NAME + "'")) {
            while (result.next()) {
                encrypted.add(result.getBoolean(1));
            }
        }
        return encrypted;
    }
}
