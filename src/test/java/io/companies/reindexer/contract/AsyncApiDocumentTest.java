package io.companies.reindexer.contract;

import static io.companies.reindexer.contract.EventSchemas.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.SchemaLocation;

/**
 * The AsyncAPI document and the JSON Schemas as files: the document is AsyncAPI 3 (valid against the official
 * AsyncAPI 3.0.0 JSON Schema), names the contract's three topics, and every reference in it resolves, to a schema
 * that exists and is itself a valid JSON Schema; the examples match their schemas; and the schemas say what
 * {@code shared/spec/events.md} says (its examples pass, its field names, statuses and required fields are the
 * schemas'). What the service really sends and accepts is {@link EventContractTest}'s part.
 */
class AsyncApiDocumentTest {

    private static final Path EVENTS_MD = Path.of("..", "shared", "spec", "events.md");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    private final ObjectMapper json = new ObjectMapper();
    private final JsonNode document = read(yaml, EventSchemas.ASYNCAPI);

    @Test
    void isAnAsyncApi3DocumentValidAgainstTheOfficialSchema() {
        assertThat(document.path("asyncapi").asText()).startsWith("3.");
        JsonSchema asyncApi3 = EventSchemas.FACTORY.getSchema(
                SchemaLocation.of("classpath:asyncapi/asyncapi-3.0.0.schema.json"));
        assertThat(asyncApi3.validate(document)).isEmpty();
        // The official schema does tell: a document that breaks it is refused.
        com.fasterxml.jackson.databind.node.ObjectNode broken = document.deepCopy();
        broken.withObject("/channels/reindexCompleted").put("address", 42);
        assertThat(asyncApi3.validate(broken)).isNotEmpty();
        broken = document.deepCopy();
        broken.put("asyncapi", "2.6.0");
        assertThat(asyncApi3.validate(broken)).isNotEmpty();
    }

    @Test
    void namesTheTwoTopicsAndTheDeadLetterTopicWithTheirOperations() {
        Map<String, String> addresses = new java.util.TreeMap<>();
        document.path("channels").properties()
                .forEach(channel -> addresses.put(channel.getKey(), channel.getValue().path("address").asText()));
        assertThat(addresses).containsOnly(Map.entry("reindexRequested", "reindex-requested"),
                Map.entry("reindexCompleted", "reindex-completed"),
                Map.entry("reindexRequestedDlq", "reindex-requested-dlq"));
        Map<String, String> actions = new java.util.TreeMap<>();
        document.path("operations").properties().forEach(operation -> actions.put(
                operation.getValue().path("channel").path("$ref").asText(), operation.getValue().path("action").asText()));
        assertThat(actions).containsOnly(Map.entry("#/channels/reindexRequested", "receive"),
                Map.entry("#/channels/reindexCompleted", "send"), Map.entry("#/channels/reindexRequestedDlq", "send"));
        JsonNode completed = document.at("/components/messages/reindexCompleted");
        assertThat(completed.at("/headers/$ref").asText()).isEqualTo("./" + EventSchemas.COMPLETED_HEADERS);
        assertThat(completed.at("/payload/$ref").asText()).isEqualTo("./" + EventSchemas.COMPLETED);
        assertThat(completed.at("/bindings/kafka/key/type").asText()).isEqualTo("string");
        assertThat(document.at("/components/messages/reindexRequested/payload/$ref").asText())
                .isEqualTo("./" + EventSchemas.REQUESTED);
        assertThat(document.at("/components/messages/deadLetter/headers/$ref").asText())
                .isEqualTo("./" + EventSchemas.DEAD_LETTER_HEADERS);
    }

    @Test
    void everyReferenceResolvesAndEverySchemaIsReferenced() {
        List<String> refs = new ArrayList<>();
        collectRefs(document, refs);
        Set<String> files = new TreeSet<>();
        for (String ref : refs) {
            if (ref.startsWith("#")) {
                assertThat(document.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
            } else {
                assertThat(ref).startsWith("./");
                String file = ref.substring(2).split("#", 2)[0];
                assertThat(EventSchemas.class.getClassLoader().getResource(EventSchemas.ROOT + file)).as(ref)
                        .isNotNull();
                files.add(file);
            }
        }
        assertThat(files).containsExactlyInAnyOrderElementsOf(EventSchemas.ALL);
    }

    @Test
    void everySchemaIsAValidDraft7Schema() {
        JsonSchema draft7 = EventSchemas.FACTORY.getSchema(
                SchemaLocation.of("http://json-schema.org/draft-07/schema#"));
        for (String path : EventSchemas.ALL) {
            JsonNode schema = read(json, EventSchemas.ROOT + path);
            assertThat(schema.path("$schema").asText()).as(path).isEqualTo("http://json-schema.org/draft-07/schema#");
            assertThat(draft7.validate(schema)).as(path).isEmpty();
        }
    }

    @Test
    void theExamplesMatchTheirSchemas() {
        document.path("components").path("messages").properties().forEach(message -> {
            for (JsonNode example : message.getValue().path("examples")) {
                check(message.getValue().path("payload"), example.path("payload"), message.getKey());
                check(message.getValue().path("headers"), example.path("headers"), message.getKey());
            }
        });
        for (String path : EventSchemas.ALL) {
            JsonSchema schema = EventSchemas.load(path);
            for (JsonNode example : read(json, EventSchemas.ROOT + path).path("examples")) {
                assertThat(schema.validate(example)).as(path + ": " + example).isEmpty();
            }
        }
    }

    private static void check(JsonNode schemaRef, JsonNode example, String message) {
        if (!example.isMissingNode()) {
            assertThat(EventSchemas.load(schemaRef.path("$ref").asText().substring(2)).validate(example))
                    .as(message + ": " + example).isEmpty();
        }
    }

    /** The schemas against the contract's own text: its examples, field names, statuses and required fields. */
    @Test
    void theSchemasSayWhatEventsMdSays() throws IOException {
        assumeTrue(Files.isRegularFile(EVENTS_MD), "shared/spec/events.md beside the project");
        String contract = Files.readString(EVENTS_MD);
        String requestedSection = section(contract, "## `reindex-requested` (consumed)");
        String completedSection = section(contract, "## `reindex-completed` (produced, one per request)");
        EventSchemas schemas = new EventSchemas();

        JsonNode requestExample = json.readTree(firstJsonBlock(requestedSection));
        assertThat(schemas.requested.validate(requestExample)).isEmpty();
        assertThat(schemas.requested.validate(json.readTree("{}"))).as("{} is a valid request").isEmpty();
        JsonNode requestSchema = read(json, EventSchemas.ROOT + EventSchemas.REQUESTED);
        Set<String> requestFields = new TreeSet<>();
        Map<String, String> requiredColumn = new java.util.TreeMap<>();
        for (String[] row : tableRows(requestedSection)) {
            for (String field : row[0].split(",")) {
                requestFields.add(field.trim());
                requiredColumn.put(field.trim(), row[1].trim());
            }
        }
        assertThat(fieldNames(requestSchema.path("properties"))).isEqualTo(requestFields);
        assertThat(requiredColumn.values()).containsOnly("no");
        assertThat(requestSchema.has("required")).isFalse();
        assertThat(requestSchema.path("additionalProperties").isMissingNode())
                .as("unknown fields are ignored").isTrue();
        assertThat(requestSchema.at("/properties/requestId/maxLength").asInt()).isEqualTo(128);
        assertThat(requestSchema.at("/properties/requestedBy/maxLength").asInt()).isEqualTo(256);
        assertThat(contract).contains("`requestId` is not 1 to 128 printable characters", "at most 256 characters");

        JsonNode outcomeExample = json.readTree(firstJsonBlock(completedSection));
        assertThat(schemas.completed.validate(outcomeExample)).isEmpty();
        for (String[] change : new String[][] { { "status", "\"DONE\"" }, { "startedAt", "\"2026-11-24T10:00:01Z\"" },
                { "completedAt", "\"2026-11-24T10:00:31.870+01:00\"" }, { "documents", "-1" },
                { "error", "\"a reason\"" }, { "index", "null" }, { "previousIndices", "null" } }) {
            com.fasterxml.jackson.databind.node.ObjectNode changed = outcomeExample.deepCopy();
            changed.set(change[0], json.readTree(change[1]));
            assertThat(schemas.completed.validate(changed)).as("COMPLETED with %s %s", change[0], change[1])
                    .isNotEmpty();
        }
        com.fasterxml.jackson.databind.node.ObjectNode missing = outcomeExample.deepCopy();
        missing.remove("error");
        assertThat(schemas.completed.validate(missing)).as("every field is present").isNotEmpty();
        String rejected = "{\"requestId\": \"r-1\", \"status\": \"REJECTED\", \"alias\": \"products\", \"index\": null,"
                + " \"previousIndices\": [], \"deletedIndices\": [], \"documents\": null,"
                + " \"startedAt\": \"2026-11-24T10:00:01.120Z\", \"completedAt\": \"2026-11-24T10:00:01.120Z\","
                + " \"durationMs\": 0, \"error\": \"%s\"}";
        assertThat(schemas.completed.validate(json.readTree(rejected.formatted("Alias 'products' is not managed"))))
                .isEmpty();
        assertThat(schemas.completed.validate(json.readTree(rejected.formatted("requestedBy \\u0007"))))
                .as("a REJECTED error never echoes a raw control character").isNotEmpty();
        JsonNode outcomeSchema = read(json, EventSchemas.ROOT + EventSchemas.COMPLETED);
        // Every field of the contract's example, plus keptIndices: this service's addition, which a consumer that
        // follows the contract ignores, and which the schema does not require of older records.
        Set<String> outcomeFields = new TreeSet<>(fieldNames(outcomeExample));
        outcomeFields.add("keptIndices");
        assertThat(fieldNames(outcomeSchema.path("properties"))).isEqualTo(outcomeFields);
        Set<String> required = new TreeSet<>();
        outcomeSchema.path("required").forEach(field -> required.add(field.asText()));
        assertThat(required).isEqualTo(fieldNames(outcomeExample));
        Set<String> statuses = tableRows(completedSection).stream().map(row -> row[0].trim())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> schemaStatuses = new TreeSet<>();
        outcomeSchema.at("/properties/status/enum").forEach(status -> schemaStatuses.add(status.asText()));
        assertThat(schemaStatuses).isEqualTo(statuses).containsExactlyInAnyOrder("COMPLETED", "FAILED", "SKIPPED",
                "REJECTED");
        assertThat(contract).contains("Timestamps in milliseconds, `Z`", "`dead-letter-reason`",
                "`reindex-requested-dlq`");
        assertThat(read(json, EventSchemas.ROOT + EventSchemas.DEAD_LETTER_HEADERS).path("required"))
                .extracting(JsonNode::asText).containsExactly("dead-letter-reason");
    }

    private static String section(String markdown, String heading) {
        int start = markdown.indexOf(heading);
        assertThat(start).as(heading).isNotNegative();
        int end = markdown.indexOf("\n## ", start + heading.length());
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    private static String firstJsonBlock(String markdown) {
        Matcher block = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        assertThat(block.find()).isTrue();
        return block.group(1);
    }

    /** The body rows of the section's first table, cells without backticks. */
    private static List<String[]> tableRows(String markdown) {
        List<String[]> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : markdown.split("\n")) {
            if (line.startsWith("|")) {
                if (inTable && !line.startsWith("|---")) {
                    String[] cells = line.substring(1).split("\\|");
                    rows.add(Arrays.stream(cells).map(cell -> cell.replace("`", "")).toArray(String[]::new));
                }
                inTable = true;
            } else if (inTable) {
                break;
            }
        }
        return rows;
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.properties().forEach(field -> {
                if (field.getKey().equals("$ref")) {
                    refs.add(field.getValue().asText());
                } else {
                    collectRefs(field.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> collectRefs(element, refs));
        }
    }

    private static JsonNode read(ObjectMapper mapper, String resource) {
        try {
            return mapper.readTree(resource(resource));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
