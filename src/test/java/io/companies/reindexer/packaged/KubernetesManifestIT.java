package io.companies.reindexer.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.companies.reindexer.config.ReindexConfig;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The Kubernetes manifests quarkus-kubernetes wrote at package time ({@code target/kubernetes/kubernetes.yml}, from
 * application.properties and {@code src/main/kubernetes/kubernetes.yml}): the probes on the health endpoints, resources,
 * a grace period longer than the service's own shutdown wait, the settings from the Secret, and the scrape target.
 */
class KubernetesManifestIT {

    private static final Path MANIFEST = Path.of("target/kubernetes/kubernetes.yml");
    private static final String NAME = "companies-reindexer";
    // OutboxRelay waits up to twice its final wait (5 s) for the outcome of the stopped run to be published.
    private static final Duration RELAY_FINAL_WAIT = Duration.ofSeconds(10);

    private static List<JsonNode> resources;

    @BeforeAll
    static void parse() throws IOException {
        assertThat(MANIFEST).as("written by quarkus-kubernetes at package time").exists();
        resources = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class)
                .readValues(Files.newBufferedReader(MANIFEST))) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && !document.isEmpty()) {
                    resources.add(document);
                }
            }
        }
    }

    @Test
    void theDeploymentProbesTheHealthEndpoints() {
        JsonNode container = container();
        assertProbe(container.path("startupProbe"), "/q/health/started");
        assertProbe(container.path("livenessProbe"), "/q/health/live");
        assertProbe(container.path("readinessProbe"), "/q/health/ready");
        // Start-up gets its own budget before liveness counts: at least a minute.
        JsonNode startup = container.path("startupProbe");
        assertThat(startup.path("periodSeconds").asInt() * startup.path("failureThreshold").asInt())
                .as("seconds the startup probe allows").isGreaterThanOrEqualTo(60);
    }

    @Test
    void theGracePeriodExceedsTheShutdownWait() {
        long grace = podSpec().path("terminationGracePeriodSeconds").asLong(30);
        Duration wait = shutdownWait();
        assertThat(Duration.ofSeconds(grace))
                .as("terminationGracePeriodSeconds %d against reindex.shutdown-wait %s plus the relay's %s", grace,
                        wait, RELAY_FINAL_WAIT)
                .isGreaterThan(wait.plus(RELAY_FINAL_WAIT));
    }

    @Test
    void resourcesAreSetAndTheHeapFitsTheLimit() {
        JsonNode resources = container().path("resources");
        assertThat(resources.at("/requests/memory").asText()).isEqualTo("640Mi");
        assertThat(resources.at("/limits/memory").asText()).isEqualTo("640Mi");
        assertThat(resources.at("/requests/cpu").asText()).isNotBlank();
        assertThat(resources.at("/limits/cpu").asText()).isNotBlank();
        // 40 % of the limit for the heap: 256 MiB, the -Xmx of the measured 1,000,000-company run (dev/bench/README.md,
        // "Memory of one instance"); the rest of the limit holds what the JVM uses besides the heap, with room to spare.
        assertThat(env(container(), "JAVA_MAX_MEM_RATIO")).hasValueSatisfying(
                ratio -> assertThat(640 * Integer.parseInt(ratio.path("value").asText()) / 100).as("heap in MiB")
                        .isEqualTo(256));
    }

    @Test
    void connectionAndTokenSettingsComeFromTheSecret() {
        JsonNode container = container();
        assertThat(container.path("envFrom")).as("envFrom").anySatisfy(
                source -> assertThat(source.at("/secretRef/name").asText()).isEqualTo(NAME));
        for (String name : List.of("QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME",
                "QUARKUS_DATASOURCE_PASSWORD", "KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_ELASTICSEARCH_HOSTS",
                "QUARKUS_ELASTICSEARCH_PASSWORD", "MP_JWT_VERIFY_PUBLICKEY", "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                "MP_JWT_VERIFY_ISSUER")) {
            assertThat(env(container, name)).as("%s set in the manifest instead of the Secret", name).isEmpty();
        }
        assertThat(container.path("image").asText()).endsWith("/companies/" + NAME + ":1.0.0-SNAPSHOT");
    }

    @Test
    void prometheusScrapesTheMetrics() {
        JsonNode annotations = deployment().at("/spec/template/metadata/annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/q/metrics");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo("8080");

        List<JsonNode> monitors = ofKind("ServiceMonitor");
        assertThat(monitors).as("one ServiceMonitor").hasSize(1);
        JsonNode monitor = monitors.getFirst();
        assertThat(monitor.at("/spec/selector/matchLabels/app.kubernetes.io~1name").asText()).isEqualTo(NAME);
        JsonNode service = ofKind("Service").getFirst();
        assertThat(monitor.at("/spec/endpoints/0/port").asText()).as("a port of the Service").isEqualTo(
                service.at("/spec/ports/0/name").asText());
        assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
    }

    /** The prod value of {@code reindex.shutdown-wait}: the Deployment's env, else application.properties, else the default. */
    private static Duration shutdownWait() {
        Optional<JsonNode> fromEnv = env(container(), "REINDEX_SHUTDOWN_WAIT");
        if (fromEnv.isPresent()) {
            return new DurationConverter().convert(fromEnv.get().path("value").asText());
        }
        SmallRyeConfig config = new SmallRyeConfigBuilder().withProfile("prod")
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withMapping(ReindexConfig.class)
                .withSources(properties(Path.of("target/classes/application.properties"), 250)).build();
        return config.getConfigMapping(ReindexConfig.class).shutdownWait();
    }

    private static PropertiesConfigSource properties(Path file, int ordinal) {
        try {
            return new PropertiesConfigSource(file.toUri().toURL(), ordinal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertProbe(JsonNode probe, String path) {
        assertThat(probe.isMissingNode()).as("probe on %s", path).isFalse();
        assertThat(probe.at("/httpGet/path").asText()).isEqualTo(path);
        assertThat(probe.at("/httpGet/port").asInt()).isEqualTo(8080);
        assertThat(probe.path("timeoutSeconds").asInt()).isPositive();
    }

    private static Optional<JsonNode> env(JsonNode container, String name) {
        for (JsonNode variable : container.path("env")) {
            if (name.equals(variable.path("name").asText())) {
                return Optional.of(variable);
            }
        }
        return Optional.empty();
    }

    private static JsonNode deployment() {
        List<JsonNode> deployments = ofKind("Deployment");
        assertThat(deployments).as("Deployments in %s", MANIFEST).hasSize(1);
        assertThat(deployments.getFirst().at("/metadata/name").asText()).isEqualTo(NAME);
        return deployments.getFirst();
    }

    private static JsonNode podSpec() {
        return deployment().at("/spec/template/spec");
    }

    private static JsonNode container() {
        JsonNode containers = podSpec().path("containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static List<JsonNode> ofKind(String kind) {
        return resources.stream().filter(resource -> kind.equals(resource.path("kind").asText())).toList();
    }
}
