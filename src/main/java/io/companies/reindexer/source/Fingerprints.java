package io.companies.reindexer.source;

import java.time.OffsetDateTime;
import java.util.Arrays;

/**
 * The companies an index holds, in id order, each with a fingerprint of the source rows its document was built from:
 * the company's {@code modified} and the id and {@code modified} of each published case study. Both tables bump
 * {@code modified} on every save, so any change to a company or its case studies (an edit, a publication, a case
 * study added or deleted) changes the fingerprint. Two primitive arrays: about 12 bytes per company.
 */
public final class Fingerprints {

    private int[] ids;
    private long[] prints;
    private int size;

    public Fingerprints(int capacity) {
        ids = new int[Math.max(capacity, 16)];
        prints = new long[ids.length];
    }

    /** Appends a company; ids must come in ascending order. */
    public void add(int id, long print) {
        if (size > 0 && id <= ids[size - 1]) {
            throw new IllegalArgumentException("Company " + id + " added after company " + ids[size - 1]);
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
            prints = Arrays.copyOf(prints, size * 2);
        }
        ids[size] = id;
        prints[size++] = print;
    }

    public int size() {
        return size;
    }

    public int id(int position) {
        return ids[position];
    }

    public long print(int position) {
        return prints[position];
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
