package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The packaged service logs in prod as a log collector reads it: one JSON object a line (quarkus-logging-json), the
 * service's own lines included, with what a request holds escaped; the readable format is for dev and test only.
 */
class JsonLogIT {

    // The dev and test format (application.properties): "12:34:56.789 INFO  [...".
    private static final Pattern PLAIN_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ");

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void prodLogLinesAreJsonObjects() throws Exception {
        try (PackagedServices services = new PackagedServices()) {
            services.forgetServiceState();
            String requestId = newRequestId();
            String log;
            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess service = ServiceProcess.start("json-log", services.serviceProperties())) {
                // Rejected (an alias the service does not manage): a line of the service's own, and no run.
                requests.send(requestId, "{\"requestId\":\"" + requestId + "\",\"alias\":\"not-managed\","
                        + "\"requestedBy\":\"json \\\"log\\\" \\u0007 it\"}");
                assertThat(services.outcome(outcomes, requestId).get("status").asText()).isEqualTo("REJECTED");
                service.stop();
                log = service.log();
            }

            List<JsonNode> lines = new ArrayList<>();
            for (String line : log.lines().toList()) {
                assertThat(line).as("a line in the readable dev/test format").doesNotContainPattern(PLAIN_LINE);
                if (line.startsWith("{")) {
                    lines.add(parse(line));
                }
            }
            // Lines the JVM itself prints before logging starts (e.g. its own warnings) are not Quarkus's to format.
            assertThat(lines).as("JSON log lines in\n%s", log).isNotEmpty().allSatisfy(line -> {
                assertThat(line.path("timestamp").asText()).isNotBlank();
                assertThat(line.path("level").asText()).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL");
                assertThat(line.path("loggerName").asText()).isNotBlank();
                assertThat(line.has("message")).isTrue();
            });
            assertThat(lines).as("Quarkus's start line").anySatisfy(line -> {
                assertThat(line.path("loggerName").asText()).isEqualTo("io.quarkus");
                assertThat(line.path("message").asText()).contains("companies-reindexer").contains("started in");
            });
            assertThat(lines).as("the service's own line for the request").anySatisfy(line -> {
                assertThat(line.path("loggerName").asText()).startsWith("io.companies.reindexer");
                assertThat(line.path("level").asText()).isEqualTo("INFO");
                assertThat(line.path("message").asText()).startsWith("Request " + requestId + " received")
                        .contains("json \"log\" \\u0007 it").doesNotContain("\u0007");
            });
            assertThat(lines).as("the shutdown line").anySatisfy(
                    line -> assertThat(line.path("message").asText()).contains("stopped in"));
        }
    }

    private JsonNode parse(String line) {
        try {
            JsonNode node = json.readTree(line);
            assertThat(node.isObject()).as(line).isTrue();
            return node;
        } catch (JsonProcessingException e) {
            throw new AssertionError("Not a JSON log line: " + line, e);
        }
    }
}
