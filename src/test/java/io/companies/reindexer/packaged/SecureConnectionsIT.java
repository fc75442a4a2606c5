package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.StackTls;
import io.companies.reindexer.testing.TcpProxy;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The packaged service over TLS to all three services, set as an operator sets it, with environment variables
 * (docs/operations.md, "Secure connections"): Kafka's TLS listener with the private CA in a trust store, PostgreSQL
 * with {@code sslmode=verify-full} and the CA as {@code sslrootcert}, and the engine over HTTPS with the CA in the TLS
 * registry's configuration {@code engine}. OpenSearch's test distribution has no TLS, so the engine is reached through
 * a TLS-terminating proxy that presents the stack's certificate for localhost.
 */
class SecureConnectionsIT {

    private static final String APPLICATION_NAME = "reindexer-tls-it";

    private final StackTls tls = new StackTls();

    @Test
    void aRequestRunsEndToEndOverTlsToKafkaPostgresqlAndTheEngine() throws Exception {
        try (PackagedServices services = new PackagedServices();
                TcpProxy engine = new TcpProxy(services.engineAddress().getHost(), services.engineAddress().getPort(),
                        tls.serverSockets())) {
            SourceRows rows = services.freshSource(500, 0.25);
            long published = rows.publishedCompanies();
            Map<String, String> properties = services.serviceProperties();
            Map<String, String> environment = secureEnvironment(properties, engine.port());
            environment.put("QUARKUS_TLS_ENGINE_TRUST_STORE_PEM_CERTS", tls.caCertificate().toString());

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

    /**
     * The settings of the secure connections, as environment variables (which the properties, set as system
     * properties, would win over: they leave the map), with a trust store for Kafka and the CA for PostgreSQL.
     */
    private Map<String, String> secureEnvironment(Map<String, String> properties, int enginePort) {
        String jdbcUrl = properties.remove("quarkus.datasource.jdbc.url");
        properties.remove("kafka.bootstrap.servers");
        properties.remove("quarkus.elasticsearch.hosts");
        Map<String, String> environment = new TreeMap<>();
        environment.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?")
                + "sslmode=verify-full&sslrootcert=" + tls.caCertificate() + "&ApplicationName=" + APPLICATION_NAME);
        environment.put("KAFKA_BOOTSTRAP_SERVERS", tls.kafkaBootstrapServers());
        environment.put("KAFKA_SECURITY_PROTOCOL", "SSL");
        environment.put("KAFKA_SSL_TRUSTSTORE_LOCATION", tls.trustStore().toString());
        environment.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
        environment.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", StackTls.PASSWORD);
        environment.put("QUARKUS_ELASTICSEARCH_HOSTS", "localhost:" + enginePort);
        environment.put("QUARKUS_ELASTICSEARCH_PROTOCOL", "https");
        return environment;
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
