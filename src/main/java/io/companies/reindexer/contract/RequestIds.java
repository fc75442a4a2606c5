package io.companies.reindexer.contract;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The request id of a {@code reindex-requested} record that has none: a name-based UUID (RFC 9562, version 5, SHA-1)
 * of the record's place, so that a redelivered record is recognised as the same request. The name is
 * {@code <topic>/<partition>/<offset>} in the URL namespace of RFC 9562. The requests the service makes itself get
 * one of their cause the same way.
 */
public final class RequestIds {

    private static final UUID URL_NAMESPACE = UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

    private RequestIds() {
    }

    public static String ofRecord(String topic, int partition, long offset) {
        return nameBased(URL_NAMESPACE, topic + "/" + partition + "/" + offset).toString();
    }

    /**
     * The request id of a request the service makes itself: a name-based UUID of its cause, so that every instance that
     * sees the same cause makes the same request.
     */
    public static String ofCause(String cause) {
        return nameBased(URL_NAMESPACE, cause).toString();
    }

    static UUID nameBased(UUID namespace, String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-1", e);
        }
        sha1.update(ByteBuffer.allocate(16).putLong(namespace.getMostSignificantBits())
                .putLong(namespace.getLeastSignificantBits()).array());
        ByteBuffer hash = ByteBuffer.wrap(sha1.digest(name.getBytes(StandardCharsets.UTF_8)));
        long high = (hash.getLong() & ~0xf000L) | 0x5000L;
        long low = (hash.getLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
