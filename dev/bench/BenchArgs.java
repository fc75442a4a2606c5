/*
 * What the benchmark's two single-file programs, BulkCeiling.java and BulkSink.java, share: their "COMMAND --name
 * value ..." arguments and how they shorten an answer for an error message. The JDK's source launcher (JDK 22 and
 * later, JEP 458) compiles this file with either of them, as it finds it beside them.
 */

import java.util.HashMap;
import java.util.Map;

final class BenchArgs {

    private BenchArgs() {
    }

    /** The {@code --name value} pairs after the command ({@code args[0]}). */
    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    /** At most the first 600 characters of an answer, for an error message. */
    static String abbreviate(String s) {
        return s.length() <= 600 ? s : s.substring(0, 600) + "...";
    }
}
