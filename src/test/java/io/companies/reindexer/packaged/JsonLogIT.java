package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.companies.reindexer.testing.FaultyEngineProxy;
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
 * service's own lines included, with what a request holds escaped, and each line a run writes, on any of its threads,
 * names the run in its {@code mdc}; the readable format is for dev and test only.
 */
class JsonLogIT {

    // The dev and test format (application.properties): "12:34:56.789 INFO  [...".
    private static final Pattern PLAIN_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ");
    private static final String ALIAS = "companies";
    private static final String SLICE_BULK = "/companies-[a-z0-9]{32}\\.slice-[0-9.a-z-]+/_bulk";
    // The threads a run works on (plumbing/Worker names, BulkIndexer's pool): only their lines may name a run.
    private static final Pattern RUN_THREAD = Pattern.compile("reindex-run|reindex-slices-\\d+|bulk-sender-\\d+");

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void prodLogLinesAreJsonObjects() throws Exception {
        try (PackagedServices services = new PackagedServices();
                FaultyEngineProxy proxy = FaultyEngineProxy.start(services.engineAddress())) {
            services.freshSource(3_000, 0.29);
            String requestId = newRequestId();
            String runRequestId = newRequestId();
            Map<String, String> properties = services.serviceProperties(proxy.hostAndPort());
            properties.put("reindex.bulk.initial-backoff", "100ms");
            String log;
            String index;
            long runId;
            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess service = ServiceProcess.start("json-log", properties)) {
                // Rejected (an alias the service does not manage): a line of the service's own, and no run.
                requests.send(requestId, "{\"requestId\":\"" + requestId + "\",\"alias\":\"not-managed\","
                        + "\"requestedBy\":\"json \\\"log\\\" \\u0007 it\"}");
                assertThat(services.outcome(outcomes, requestId).get("status").asText()).isEqualTo("REJECTED");
                // A run of two slices, one of whose bulk requests the engine pushes back once: a bulk sender logs that
                // it sends it again.
                FaultyEngineProxy.Rule pushedBack = proxy.failBulkItems(SLICE_BULK, 1, 429,
                        "es_rejected_execution_exception");
                JsonNode outcome = services.outcome(outcomes, services.request(requests, runRequestId));
                assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                assertThat(pushedBack.applied()).isEqualTo(1);
                index = outcome.get("index").asText();
                runId = runOf(services, runRequestId);
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
            assertRunNamedInMdc(lines, runId, runRequestId, index);
        }
    }

    /**
     * Every line that names the run, every line of a slice worker or a bulk sender and every line of the run thread that
     * names the index carries the run's fields; lines outside it (the outcome's publication) carry none.
     */
    private static void assertRunNamedInMdc(List<JsonNode> lines, long runId, String requestId, String index) {
        Pattern namesTheRun = Pattern.compile("\\bRun " + runId + "\\b");
        Pattern onAWorker = Pattern.compile("reindex-slices-\\d+|bulk-sender-\\d+");
        List<JsonNode> ofTheRun = lines.stream()
                .filter(line -> namesTheRun.matcher(message(line)).find()
                        || onAWorker.matcher(line.path("threadName").asText()).matches()
                        || line.path("threadName").asText().equals("reindex-run") && message(line).contains(index))
                .toList();
        assertThat(ofTheRun).as("the run's lines: index created, slices planned, passes done, swap, stage times")
                .hasSizeGreaterThan(4)
                .allSatisfy(line -> {
                    assertThat(mdc(line, "runId")).as(line.toString()).isEqualTo(String.valueOf(runId));
                    assertThat(mdc(line, "requestId")).as(line.toString()).isEqualTo(requestId);
                    assertThat(mdc(line, "alias")).as(line.toString()).isEqualTo(ALIAS);
                    assertThat(mdc(line, "index")).as(line.toString()).isEqualTo(index);
                });
        Pattern ofASlice = Pattern.compile("\\bRun " + runId + ", slice (\\d+)\\b.*, pass (\\d+)");
        assertThat(ofTheRun).as("the lines of its slices' passes").filteredOn(line -> ofASlice.matcher(message(line))
                .find()).hasSizeGreaterThanOrEqualTo(2).allSatisfy(line -> {
                    Matcher slice = ofASlice.matcher(message(line));
                    assertThat(slice.find()).isTrue();
                    assertThat(line.path("threadName").asText()).startsWith("reindex-slices-");
                    assertThat(mdc(line, "slice")).as(line.toString()).isEqualTo(slice.group(1));
                    assertThat(mdc(line, "pass")).as(line.toString()).isEqualTo(slice.group(2));
                });
        assertThat(lines).as("a bulk sender's retry").anySatisfy(line -> {
            assertThat(line.path("threadName").asText()).startsWith("bulk-sender-");
            assertThat(message(line)).contains("sending them again");
            assertThat(mdc(line, "runId")).isEqualTo(String.valueOf(runId));
            assertThat(mdc(line, "index")).isEqualTo(index);
            assertThat(message(line)).contains(".slice-" + mdc(line, "slice") + ".pass-" + mdc(line, "pass") + ".");
        });
        assertThat(lines).as("the outcome's publication, after the run").anySatisfy(line -> {
            assertThat(message(line)).startsWith("Request " + requestId + ": published outcome COMPLETED");
            assertThat(line.path("mdc").has("runId")).as(line.toString()).isFalse();
        });
        assertThat(lines).as("lines that name a run in their MDC").filteredOn(line -> line.path("mdc").has("runId"))
                .allSatisfy(line -> assertThat(line.path("threadName").asText()).as(line.toString())
                        .matches(RUN_THREAD));
    }

    private static long runOf(PackagedServices services, String requestId) throws SQLException {
        try (Connection connection = services.dataSource().getConnection();
                PreparedStatement statement = connection
                        .prepareStatement("select run_id from reindexer.reindex_request where request_id = ?")) {
            statement.setString(1, requestId);
            try (ResultSet row = statement.executeQuery()) {
                assertThat(row.next()).as("request " + requestId + " recorded").isTrue();
                return row.getLong(1);
            }
        }
    }

    private static String message(JsonNode line) {
        return line.path("message").asText();
    }

    private static String mdc(JsonNode line, String field) {
        return line.path("mdc").path(field).asText(null);
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
