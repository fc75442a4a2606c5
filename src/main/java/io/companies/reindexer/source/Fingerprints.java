package io.companies.reindexer.source;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.util.Set;

/**
 * The companies an index holds, in id order, each with a fingerprint of the source rows its document was built from:
 * the company's {@code modified} and the id and {@code modified} of each published case study, which both tables bump
 * on every save.
 * <p>
 * They live in a temporary file (12 bytes per company), not on the heap, so memory stays flat however many companies
 * there are; {@code DELETE_ON_CLOSE} unlinks it at once on Linux, so a crash leaves nothing. The same bytes
 * ({@link #toBytes}) carry them where they must outlive the process.
 */
public final class Fingerprints implements AutoCloseable {

    private static final int BUFFER_BYTES = 1 << 16;
    private static final int BYTES_PER_COMPANY = Integer.BYTES + Long.BYTES;

    private FileChannel file;
    private DataOutputStream out;
    private int size;
    private int lastId;
    private boolean writeEnded;

    /** @throws UncheckedIOException when no temporary file can be made: the machine's fault, not the run's */
    public Fingerprints() {
        try {
            Path path = Files.createTempFile("companies-fingerprints-", ".bin");
            file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary file for fingerprints", e);
        }
        out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(file), BUFFER_BYTES));
    }

    /** Appends a company; ids must come in ascending order, and all before the {@link #cursor()}. */
    public void add(int id, long print) throws IOException {
        if (writeEnded) {
            throw new IllegalStateException("Fingerprints are being read: none can be added");
        }
        if (size > 0 && id <= lastId) {
            throw new IllegalArgumentException("Company " + id + " added after company " + lastId);
        }
        out.writeInt(id);
        out.writeLong(print);
        lastId = id;
        size++;
    }

    public int size() {
        return size;
    }

    /**
     * Reads the companies back from the first, in id order; none can be added any more. A new cursor starts again from
     * the first: use one at a time.
     */
    public Cursor cursor() throws IOException {
        if (!writeEnded) {
            writeEnded = true;
            out.flush();
        }
        file.position(0);
        return new Cursor(new DataInputStream(new BufferedInputStream(Channels.newInputStream(file), BUFFER_BYTES)));
    }

    /** The companies, in id order, as one array of 12 bytes each: what a slice of a run keeps durably. */
    public byte[] toBytes() throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(size * BYTES_PER_COMPANY);
        for (Cursor cursor = cursor(); !cursor.exhausted(); cursor.advance()) {
            bytes.putInt(cursor.id()).putLong(cursor.print());
        }
        return bytes.array();
    }

    /** Appends the companies of an array made by {@link #toBytes}. */
    public void addAll(byte[] companies) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(companies);
        while (bytes.hasRemaining()) {
            add(bytes.getInt(), bytes.getLong());
        }
    }

    /** A copy of these companies without {@code removed}; these are read to the end and can take no more. */
    public Fingerprints without(Set<Integer> removed) throws IOException {
        Fingerprints kept = new Fingerprints();
        try {
            for (Cursor cursor = cursor(); !cursor.exhausted(); cursor.advance()) {
                if (!removed.contains(cursor.id())) {
                    kept.add(cursor.id(), cursor.print());
                }
            }
        } catch (IOException | RuntimeException e) {
            kept.close();
            throw e;
        }
        return kept;
    }

    /**
     * Makes these fingerprints hold what {@code newer} holds, and frees what they held: the catch-up writes what the
     * index holds after a pass beside what it held before, then keeps the newer.
     */
    public void replaceWith(Fingerprints newer) {
        close();
        file = newer.file;
        out = newer.out;
        size = newer.size;
        lastId = newer.lastId;
        writeEnded = newer.writeEnded;
    }

    /** Frees the file; closing twice does nothing. */
    @Override
    public void close() {
        try {
            file.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot close the fingerprints file", e);
        }
    }

    /** A position in the companies, in id order: on a company until {@link #exhausted()}. */
    public final class Cursor {
        private final DataInputStream in;
        private int read;
        private int id;
        private long print;

        private Cursor(DataInputStream in) throws IOException {
            this.in = in;
            advance();
        }

        public boolean exhausted() {
            return read > size;
        }

        public int id() {
            return id;
        }

        public long print() {
            return print;
        }

        /** Moves to the next company. */
        public void advance() throws IOException {
            if (read++ < size) {
                try {
                    id = in.readInt();
                    print = in.readLong();
                } catch (EOFException e) {
                    throw new IOException("The fingerprints file ends before its " + size + " companies", e);
                }
            }
        }
    }

    /** Starts the fingerprint of a company: its id and last change. */
    public static long of(int companyId, OffsetDateTime modified) {
        return mix(mix(companyId) ^ micros(modified));
    }

    /** Adds one published case study to the fingerprint of its company; case studies must come in id order. */
    public static long with(long print, int caseStudyId, OffsetDateTime modified) {
        return mix(print ^ mix(caseStudyId) ^ mix(micros(modified) + 1));
    }

    private static long micros(OffsetDateTime time) {
        return time == null ? 0 : time.toEpochSecond() * 1_000_000 + time.getNano() / 1_000;
    }

    // The SplitMix64 finaliser: every input bit affects every output bit, so distinct rows collide with odds of 2^-64.
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
