package io.companies.reindexer.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class RequestParserTest {

    private final RequestParser parser = new RequestParser();

    private ReindexRequested parse(String value) {
        return parser.parse(value.getBytes(StandardCharsets.UTF_8));
    }

    private void assertMalformed(byte[] value, String reason) {
        assertThatThrownBy(() -> parser.parse(value)).isInstanceOf(MalformedRequestException.class)
                .hasMessageContaining(reason);
    }

    private void assertMalformed(String value, String reason) {
        assertMalformed(value.getBytes(StandardCharsets.UTF_8), reason);
    }

    @Test
    void readsEveryField() {
        ReindexRequested request = parse("""
                {"requestId":"r-1","alias":"companies","requestedBy":"ops","requestedAt":"2026-11-24T10:00:00Z"}""");
        assertThat(request).isEqualTo(new ReindexRequested("r-1", "companies", "ops", "2026-11-24T10:00:00Z", false));
    }

    @Test
    void readsForceAndTakesItFalseWhenAbsentOrNull() {
        assertThat(parse("{\"force\":true}").force()).isTrue();
        assertThat(parse("{\"force\":false}").force()).isFalse();
        assertThat(parse("{\"force\":null}").force()).isFalse();
        assertThat(parse("{}").force()).isFalse();
    }

    @Test
    void emptyObjectIsAValidRequestWithAFreshId() {
        ReindexRequested first = parse("{}");
        ReindexRequested second = parse("{}");
        assertThat(first.requestId()).hasSize(36).isNotEqualTo(second.requestId());
        assertThat(first.alias()).isNull();
    }

    @Test
    void aRequestWithoutIdFromARecordGetsTheIdOfItsPlace() {
        ReindexRequested request = parser.parse("{}".getBytes(StandardCharsets.UTF_8),
                () -> RequestIds.ofRecord("reindex-requested", 0, 42));
        assertThat(request.requestId()).isEqualTo("ea2885c8-03d6-5e47-9df3-134c9c1e16cc");
        assertThat(parser.parse("{\"requestId\":\"r-9\"}".getBytes(StandardCharsets.UTF_8), () -> "unused").requestId())
                .isEqualTo("r-9");
    }

    @Test
    void ignoresUnknownFieldsAndTreatsNullAsAbsent() {
        ReindexRequested request = parse("""
                {"requestId":"r-2","alias":null,"priority":{"deep":[1,2,3]},"extra":true}""");
        assertThat(request).isEqualTo(new ReindexRequested("r-2", null, null, null, false));
    }

    @Test
    void rejectsEmptyValuesAndTombstones() {
        assertMalformed((byte[]) null, "empty or a tombstone");
        assertMalformed(new byte[0], "empty or a tombstone");
    }

    @Test
    void rejectsValuesOver64KiB() {
        String padding = "x".repeat(RequestParser.MAX_BYTES);
        assertMalformed("{\"requestedBy\":\"" + padding + "\"}", "more than 64 KiB");
        assertThat(parse("{\"requestedBy\":\"" + "x".repeat(RequestParser.MAX_BYTES - 20) + "\"}").requestedBy())
                .hasSize(RequestParser.MAX_BYTES - 20);
    }

    @Test
    void rejectsInvalidUtf8() {
        assertMalformed(new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}' }, "not valid UTF-8");
    }

    @Test
    void rejectsAnythingButExactlyOneObject() {
        assertMalformed("not json", "not valid JSON");
        assertMalformed("[{}]", "not a JSON object");
        assertMalformed("42", "not a JSON object");
        assertMalformed("\"companies\"", "not a JSON object");
        assertMalformed("{} {}", "content after the JSON object");
        assertMalformed("{}x", "content after the JSON object");
        assertMalformed("{\"requestId\":", "not valid JSON");
    }

    @Test
    void rejectsNestingDeeperThan32Levels() {
        String deepest = "{\"a\":".repeat(31) + "{}" + "}".repeat(31);
        assertThat(parse(deepest)).isNotNull();
        assertMalformed("{\"a\":".repeat(32) + "{}" + "}".repeat(32), "nested deeper than 32 levels");
    }

    @Test
    void rejectsKnownFieldsOfTheWrongType() {
        assertMalformed("{\"requestId\":42}", "requestId must be a string");
        assertMalformed("{\"alias\":[\"companies\"]}", "alias must be a string");
        assertMalformed("{\"requestedBy\":{}}", "requestedBy must be a string");
        assertMalformed("{\"requestedAt\":1732442400}", "requestedAt must be a string");
        assertMalformed("{\"force\":\"true\"}", "force must be a boolean");
    }

    @Test
    void requestIdHasOneTo128PrintableCharacters() {
        assertMalformed("{\"requestId\":\"\"}", "1 to 128 characters");
        assertMalformed("{\"requestId\":\"" + "a".repeat(129) + "\"}", "1 to 128 characters");
        assertMalformed("{\"requestId\":\"a\\u0000b\"}", "printable");
        assertMalformed("{\"requestId\":\"line\\nbreak\"}", "printable");
        assertThat(parse("{\"requestId\":\"" + "é".repeat(128) + "\"}").requestId()).hasSize(128);
    }
}
