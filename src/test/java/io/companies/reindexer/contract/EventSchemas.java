package io.companies.reindexer.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * The event schemas the service serves under {@code /events/schemas/} (from {@code META-INF/resources/events}), read
 * from the classpath as a neighbouring team would read them, with formats asserted ({@code date-time} included).
 */
public final class EventSchemas {

    public static final String ROOT = "META-INF/resources/events/";
    public static final String ASYNCAPI = ROOT + "asyncapi.yaml";
    public static final String REQUESTED = "schemas/reindex-requested.value.schema.json";
    public static final String COMPLETED = "schemas/reindex-completed.value.schema.json";
    public static final String COMPLETED_HEADERS = "schemas/reindex-completed.headers.schema.json";
    public static final String DEAD_LETTER_HEADERS = "schemas/reindex-requested-dlq.headers.schema.json";
    public static final String DEAD_LETTER_VALUE = "schemas/reindex-requested-dlq.value.schema.json";
    public static final List<String> ALL = List.of(REQUESTED, COMPLETED, COMPLETED_HEADERS, DEAD_LETTER_HEADERS,
            DEAD_LETTER_VALUE);

    /** Draft 7, the JSON Schema dialect AsyncAPI 3 schema objects build on. */
    static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();

    public final JsonSchema requested = load(REQUESTED);
    public final JsonSchema completed = load(COMPLETED);
    public final JsonSchema completedHeaders = load(COMPLETED_HEADERS);
    public final JsonSchema deadLetterHeaders = load(DEAD_LETTER_HEADERS);

    /** @param path relative to {@link #ROOT}, as the AsyncAPI document references it */
    public static JsonSchema load(String path) {
        return FACTORY.getSchema(SchemaLocation.of("classpath:" + ROOT + path), CONFIG);
    }

    public static JsonSchema of(JsonNode schema) {
        return FACTORY.getSchema(schema, CONFIG);
    }

    public static Set<ValidationMessage> validate(JsonSchema schema, JsonNode value) {
        return schema.validate(value);
    }

    /** The record's value as JSON. */
    public static JsonNode value(ConsumerRecord<byte[], byte[]> record) {
        try {
            return JSON.readTree(record.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The record's headers as the schemas see them: one property per header, its value read as UTF-8 text. */
    public static ObjectNode headers(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode headers = JSON.createObjectNode();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }

    public static byte[] resource(String path) {
        try (InputStream in = EventSchemas.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("No resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
