package io.companies.reindexer.index;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Names of the indices this service creates: the prefix followed by 32 random lowercase letters and digits. Only
 * names of that exact shape are ever deleted.
 */
public final class IndexNames {

    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int RANDOM_LENGTH = 32;

    private final String prefix;
    private final Pattern ours;

    public IndexNames(String prefix) {
        this.prefix = prefix;
        this.ours = Pattern.compile(Pattern.quote(prefix) + "[a-z0-9]{" + RANDOM_LENGTH + "}");
    }

    /** A fresh name. Drawn at run time, never at build time, so that native images do not repeat names. */
    public String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder name = new StringBuilder(prefix.length() + RANDOM_LENGTH).append(prefix);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            name.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return name.toString();
    }

    public boolean isOurs(String index) {
        return ours.matcher(index).matches();
    }

    /** The wildcard expression that lists our indices in the engine's APIs. */
    public String wildcard() {
        return prefix + "*";
    }
}
