package io.companies.reindexer.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a {@code reindex-requested} value, or says precisely why it is malformed (see "Malformed or invalid" in
 * {@code shared/spec/events.md}). Unknown fields are ignored; a known field set to JSON {@code null} counts as absent.
 */
public final class RequestParser {

    /** The contract's limit on a request, on the topic and over HTTP alike. */
    public static final int MAX_BYTES = 64 * 1024;
    static final int MAX_DEPTH = 32;
    static final int MAX_REQUEST_ID_LENGTH = 128;

    private final ObjectMapper json = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build());

    /** Reads a request that came without a place of its own (over HTTP): one without id gets a random one. */
    public ReindexRequested parse(byte[] value) {
        return parse(value, () -> UUID.randomUUID().toString());
    }

    /** @param requestIdIfAbsent the id of a request that has none, e.g. {@link RequestIds#ofRecord} */
    public ReindexRequested parse(byte[] value, Supplier<String> requestIdIfAbsent) {
        if (value == null || value.length == 0) {
            throw new MalformedRequestException("The value is empty or a tombstone");
        }
        if (value.length > MAX_BYTES) {
            throw new MalformedRequestException("The value has " + value.length + " bytes, more than 64 KiB");
        }
        JsonNode request = readObject(decode(value));
        boolean force = booleanField(request, "force");
        String requestId = stringField(request, "requestId");
        if (requestId != null) {
            checkRequestId(requestId);
        }
        return new ReindexRequested(requestId == null ? requestIdIfAbsent.get() : requestId,
                stringField(request, "alias"), stringField(request, "requestedBy"), stringField(request, "requestedAt"),
                force);
    }

    private static String decode(byte[] value) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedRequestException("The value is not valid UTF-8");
        }
    }

    private JsonNode readObject(String text) {
        try (JsonParser parser = json.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedRequestException("The value is not a JSON object");
            }
            JsonNode request = json.readTree(parser);
            if (hasMoreContent(parser)) {
                throw new MalformedRequestException("The value has content after the JSON object");
            }
            return request;
        } catch (StreamConstraintsException e) {
            throw new MalformedRequestException("The value is nested deeper than " + MAX_DEPTH + " levels");
        } catch (JsonProcessingException e) {
            throw new MalformedRequestException("The value is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading from a String does no I/O
        }
    }

    private static boolean hasMoreContent(JsonParser parser) throws IOException {
        try {
            return parser.nextToken() != null;
        } catch (JsonProcessingException e) {
            return true; // trailing text that is not even a JSON token
        }
    }

    private static String stringField(JsonNode request, String field) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new MalformedRequestException("The field " + field + " must be a string, not " + value.getNodeType());
        }
        return value.textValue();
    }

    /** A boolean field, false when absent or null. */
    private static boolean booleanField(JsonNode request, String field) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new MalformedRequestException("The field " + field + " must be a boolean, not " + value.getNodeType());
        }
        return value.booleanValue();
    }

    private static void checkRequestId(String requestId) {
        int length = requestId.codePointCount(0, requestId.length());
        if (length < 1 || length > MAX_REQUEST_ID_LENGTH) {
            throw new MalformedRequestException("The requestId must have 1 to " + MAX_REQUEST_ID_LENGTH
                    + " characters, not " + length);
        }
        if (!requestId.codePoints().allMatch(RequestParser::isPrintable)) {
            throw new MalformedRequestException("The requestId must have printable characters only");
        }
    }

    private static boolean isPrintable(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR ->
                false;
            default -> true;
        };
    }
}
