package io.companies.reindexer.intake;

import static io.companies.reindexer.testing.ServiceTopics.RUN_TIMEOUT;
import static io.companies.reindexer.testing.ServiceTopics.hasKey;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import io.quarkus.test.junit.QuarkusTest;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Hostile text in every field of a request: each gets its answer (the dead-letter topic, or a REJECTED outcome that
 * names the field and echoes nothing raw), the valid request behind it still completes, and no log line of the
 * service carries a raw control character.
 */
@QuarkusTest
class HostileTextTest {

    @Inject
    ServiceTopics topics;

    @Inject
    DataSource dataSource;

    private final ObjectMapper json = new ObjectMapper();
    private final List<String> serviceLog = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLoggerName() != null && record.getLoggerName().startsWith("io.companies")) {
                serviceLog.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void loadCompaniesAndListen() throws Exception {
        SourceRows rows = new SourceRows(dataSource);
        rows.reset();
        rows.generate(200, 0.51);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        Logger.getLogger("").removeHandler(capture);
    }

    private record Hostile(String name, String value, String expected, String errorNames) {
    }

    @Test
    void everyHostileValueGetsAClearAnswerAndTheNextRequestCompletes() throws Exception {
        String controls = "\u0001".repeat(60_000);
        List<Hostile> battery = List.of(
                new Hostile("NUL in requestId", "{\"requestId\":\"a\\u0000b\"}", "DLQ", null),
                new Hostile("NUL in alias", "{\"requestId\":\"%s\",\"alias\":\"comp\\u0000anies\"}", "REJECTED",
                        "comp\\u0000anies"),
                new Hostile("NUL in requestedBy", "{\"requestId\":\"%s\",\"requestedBy\":\"\\u0000\"}", "REJECTED",
                        "requestedBy"),
                new Hostile("NUL in requestedAt", "{\"requestId\":\"%s\",\"requestedAt\":\"2026\\u0000\"}", "REJECTED",
                        "requestedAt"),
                new Hostile("lone surrogate in requestedBy", "{\"requestId\":\"%s\",\"requestedBy\":\"\\ud800\"}",
                        "REJECTED", "requestedBy"),
                new Hostile("lone surrogate in alias", "{\"requestId\":\"%s\",\"alias\":\"\\udc00x\"}", "REJECTED",
                        "\\udc00x"),
                new Hostile("CR LF in requestedBy",
                        "{\"requestId\":\"%s\",\"requestedBy\":\"x\\r\\nERROR forged log line\"}", "REJECTED",
                        "requestedBy"),
                new Hostile("CR LF in alias", "{\"requestId\":\"%s\",\"alias\":\"x\\r\\nERROR forged log line\"}",
                        "REJECTED", "x\\u000d\\u000aERROR forged log line"),
                new Hostile("60,000 raw control characters", "{\"requestedBy\":\"" + controls + "\"}", "DLQ", null),
                new Hostile("257 characters in requestedBy",
                        "{\"requestId\":\"%s\",\"requestedBy\":\"" + "é".repeat(257) + "\"}", "REJECTED",
                        "requestedBy has 257 characters"),
                new Hostile("bidirectional override in requestedBy",
                        "{\"requestId\":\"%s\",\"requestedBy\":\"ops\\u202Elog.exe\"}", "COMPLETED", null));

        try (TopicWatcher outcomes = topics.watchOutcomes();
                TopicWatcher deadLetters = topics.watchDeadLetters();
                Requests requests = topics.requests()) {
            for (Hostile hostile : battery) {
                String requestId = UUID.randomUUID().toString();
                String key = "hostile-" + requestId;
                requests.send(key.getBytes(StandardCharsets.UTF_8),
                        hostile.value().replace("%s", requestId).getBytes(StandardCharsets.UTF_8));
                if (hostile.expected().equals("DLQ")) {
                    ConsumerRecord<byte[], byte[]> dead = deadLetters.await(record -> hasKey(record, key), RUN_TIMEOUT);
                    assertThat(dead.headers().lastHeader("dead-letter-reason")).as(hostile.name()).isNotNull();
                } else {
                    JsonNode outcome = json.readTree(outcomes.await(record -> hasKey(record, requestId), RUN_TIMEOUT)
                            .value());
                    assertThat(outcome.get("status").asText()).as(hostile.name()).isEqualTo(hostile.expected());
                    if (hostile.errorNames() != null) {
                        assertThat(outcome.get("error").asText()).as(hostile.name()).contains(hostile.errorNames());
                    }
                    for (String field : List.of("alias", "error")) {
                        assertThat(outcome.path(field).asText("")).as(hostile.name() + ": nothing raw in " + field)
                                .doesNotContainPattern("[\\x00-\\x1f\\x7f\\ud800-\\udfff]");
                    }
                }
                String next = UUID.randomUUID().toString();
                requests.send(next, "{\"requestId\":\"" + next + "\"}");
                JsonNode after = json.readTree(outcomes.await(record -> hasKey(record, next), RUN_TIMEOUT).value());
                assertThat(after.get("status").asText()).as("the request after: " + hostile.name()).isEqualTo("COMPLETED");
            }
        }
        assertThat(serviceLog).as("log lines of the service").isNotEmpty()
                .noneMatch(line -> line.contains("\r") || line.contains("\n") || line.contains("\u0000"));
        assertThat(serviceLog).anyMatch(line -> line.contains("x\\u000d\\u000aERROR forged log line"));
    }
}
