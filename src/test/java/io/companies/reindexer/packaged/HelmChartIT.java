package io.companies.reindexer.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The Helm chart ({@code deploy/helm/companies-reindexer}) rendered by the real {@code helm template} (dev/helm.sh
 * installs Helm when missing): two instances, spread and kept by a PodDisruptionBudget, locked down, with the same
 * probes, resources and grace period as the manifests quarkus-kubernetes writes ({@code KubernetesManifestIT} checks
 * those against the service's settings), and the optional Secret, ServiceMonitor and PrometheusRule.
 */
class HelmChartIT {

    private static final String CHART = "deploy/helm/companies-reindexer";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theChartLints() throws Exception {
        helm("lint", "--strict", CHART);
    }

    @Test
    void theDefaultsRunTwoLockedDownInstancesThatStayUpThroughADrain() throws Exception {
        List<JsonNode> objects = template();
        assertThat(objects).extracting(object -> object.path("kind").asText())
                .containsExactlyInAnyOrder("Deployment", "Service", "PodDisruptionBudget");
        JsonNode deployment = only(objects, "Deployment");
        JsonNode pod = deployment.at("/spec/template");
        JsonNode podLabels = pod.at("/metadata/labels");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        assertSelects(deployment.at("/spec/selector/matchLabels"), podLabels);

        JsonNode budget = only(objects, "PodDisruptionBudget");
        assertThat(budget.at("/spec/minAvailable").asInt()).isEqualTo(1);
        assertSelects(budget.at("/spec/selector/matchLabels"), podLabels);

        JsonNode spread = pod.at("/spec/topologySpreadConstraints");
        assertThat(spread).extracting(constraint -> constraint.path("topologyKey").asText())
                .containsExactly("topology.kubernetes.io/zone", "kubernetes.io/hostname");
        spread.forEach(constraint -> assertSelects(constraint.at("/labelSelector/matchLabels"), podLabels));

        JsonNode podSecurity = pod.at("/spec/securityContext");
        assertThat(podSecurity.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(podSecurity.path("runAsUser").asInt()).as("not root").isPositive();
        JsonNode container = container(deployment);
        JsonNode security = container.path("securityContext");
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(security.at("/capabilities/drop")).extracting(JsonNode::asText).containsExactly("ALL");
        // With a read-only root, /tmp (the slices' temporary files, the JVM's perf data) must be a volume.
        JsonNode tmpMount = Stream.of(toArray(container.path("volumeMounts")))
                .filter(mount -> mount.path("mountPath").asText().equals("/tmp")).findFirst().orElseThrow();
        assertThat(Stream.of(toArray(pod.at("/spec/volumes")))
                .filter(volume -> volume.path("name").asText().equals(tmpMount.path("name").asText())))
                .singleElement().satisfies(volume -> assertThat(volume.has("emptyDir")).isTrue());

        assertThat(container.at("/envFrom/0/secretRef/name").asText()).isEqualTo("companies-reindexer");
        assertThat(container.path("image").asText()).isEqualTo("docker.io/companies/companies-reindexer:1.0.0-SNAPSHOT");
        JsonNode service = only(objects, "Service");
        assertSelects(service.at("/spec/selector"), podLabels);
        assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
    }

    /** The chart says what the generated manifests say about the running of one instance: one source of truth each. */
    @Test
    void probesResourcesAndGracePeriodMatchTheGeneratedManifest() throws Exception {
        Path manifest = Path.of("target/kubernetes/kubernetes.yml");
        assertThat(manifest).as("written by quarkus-kubernetes at package time").exists();
        JsonNode generated = container(only(parse(Files.readString(manifest)), "Deployment"));
        JsonNode deployment = only(template(), "Deployment");
        JsonNode charted = container(deployment);
        for (String field : List.of("resources", "startupProbe")) {
            assertThat(charted.path(field)).as(field).isEqualTo(generated.path(field));
        }
        for (String probe : List.of("livenessProbe", "readinessProbe")) {
            for (String field : List.of("httpGet", "periodSeconds", "timeoutSeconds", "failureThreshold")) {
                assertThat(charted.path(probe).path(field)).as("%s.%s", probe, field)
                        .isEqualTo(generated.path(probe).path(field));
            }
        }
        assertThat(env(charted, "JAVA_MAX_MEM_RATIO")).isEqualTo(env(generated, "JAVA_MAX_MEM_RATIO"));
        assertThat(deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asInt()).isEqualTo(60);
    }

    @Test
    void theOptionalObjectsFollowTheirValues() throws Exception {
        List<JsonNode> objects = template("--set", "secret.create=true", "--set", "secret.name=reindexer-settings",
                "--set", "secret.stringData.KAFKA_BOOTSTRAP_SERVERS=kafka:9092", "--set", "replicas=3", "--set",
                "image.tag=1.2.3", "--set", "serviceMonitor.enabled=true", "--set", "prometheusRule.enabled=true",
                "--set", "grafanaDashboard.enabled=true", "--set", "podDisruptionBudget.enabled=false", "--set",
                "env.REINDEX_SLICES_WORKERS=2");
        assertThat(objects).extracting(object -> object.path("kind").asText()).containsExactlyInAnyOrder("Deployment",
                "Service", "Secret", "ServiceMonitor", "PrometheusRule", "ConfigMap");
        JsonNode deployment = only(objects, "Deployment");
        JsonNode container = container(deployment);
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(container.path("image").asText()).endsWith(":1.2.3");
        assertThat(env(container, "REINDEX_SLICES_WORKERS")).isEqualTo("2");

        JsonNode secret = only(objects, "Secret");
        assertThat(secret.at("/metadata/name").asText()).isEqualTo("reindexer-settings");
        assertThat(container.at("/envFrom/0/secretRef/name").asText()).isEqualTo("reindexer-settings");
        assertThat(secret.at("/stringData/KAFKA_BOOTSTRAP_SERVERS").asText()).isEqualTo("kafka:9092");
        assertThat(deployment.at("/spec/template/metadata/annotations/checksum~1secret").asText())
                .as("a changed Secret rolls the pods").isNotBlank();

        JsonNode monitor = only(objects, "ServiceMonitor");
        JsonNode service = only(objects, "Service");
        assertSelects(monitor.at("/spec/selector/matchLabels"), service.at("/metadata/labels"));
        assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo(service.at("/spec/ports/0/name").asText());
        assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");

        // The rules of dev/alerts as they are, their {{ $labels }} left for Prometheus.
        JsonNode rules = YAML.readTree(Path.of("dev/alerts/reindexer-rules.yml").toFile());
        assertThat(only(objects, "PrometheusRule").at("/spec/groups")).isEqualTo(rules.path("groups"));

        // The dashboard of deploy/grafana as it is, labelled for Grafana's sidecar.
        JsonNode dashboard = only(objects, "ConfigMap");
        assertThat(dashboard.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        assertThat(new ObjectMapper().readTree(dashboard.at("/data/companies-reindexer.json").asText()))
                .isEqualTo(new ObjectMapper().readTree(Path.of("deploy/grafana/companies-reindexer.json").toFile()));
    }

    private static List<JsonNode> template(String... values) throws Exception {
        List<String> arguments = new ArrayList<>(List.of("template", "reindexer", CHART));
        arguments.addAll(List.of(values));
        return parse(helm(arguments.toArray(String[]::new)));
    }

    private static String helm(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("dev/helm.sh"));
        command.addAll(List.of(arguments));
        Path err = Files.createTempFile("helm", ".err");
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("helm %s finished", command).isTrue();
        assertThat(process.exitValue()).as("helm %s: %s\n%s", command, out, Files.readString(err)).isZero();
        Files.delete(err);
        return out;
    }

    private static List<JsonNode> parse(String yaml) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && !document.isEmpty()) {
                    objects.add(document);
                }
            }
        }
        return objects;
    }

    private static JsonNode only(List<JsonNode> objects, String kind) {
        List<JsonNode> ofKind = objects.stream().filter(object -> kind.equals(object.path("kind").asText())).toList();
        assertThat(ofKind).as(kind).hasSize(1);
        return ofKind.getFirst();
    }

    private static JsonNode container(JsonNode deployment) {
        JsonNode containers = deployment.at("/spec/template/spec/containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static String env(JsonNode container, String name) {
        return Stream.of(toArray(container.path("env"))).filter(variable -> name.equals(variable.path("name").asText()))
                .map(variable -> variable.path("value").asText()).findFirst().orElse(null);
    }

    /** Every label of the selector is on the pods (or the Service) it must select. */
    private static void assertSelects(JsonNode selector, JsonNode labels) {
        assertThat(selector.size()).as("labels of %s", selector).isPositive();
        selector.properties().forEach(label -> assertThat(labels.path(label.getKey()).asText()).as(label.getKey())
                .isEqualTo(label.getValue().asText()));
    }

    private static JsonNode[] toArray(JsonNode array) {
        List<JsonNode> elements = new ArrayList<>();
        array.forEach(elements::add);
        return elements.toArray(JsonNode[]::new);
    }
}
