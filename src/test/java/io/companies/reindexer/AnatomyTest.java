package io.companies.reindexer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The Anatomy in docs/design.md names every class of the service, and only classes that exist. */
class AnatomyTest {

    private static final Path SOURCES = Path.of("src/main/java/io/companies/reindexer");
    private static final Path DESIGN = Path.of("docs/design.md");
    // One bullet: its backticked names before the first colon after them, e.g. "- `state/Sql`, `Row`: ...".
    private static final Pattern BULLET = Pattern.compile("^- ((?:`[\\w/]+`(?:,\\s+)?)+):", Pattern.MULTILINE);
    private static final Pattern NAME = Pattern.compile("`(?:(\\w+)/)?(\\w+)`");

    @Test
    void namesExactlyTheClassesThatExist() throws IOException {
        Set<String> named = named();
        Set<String> existing = existing();
        assertThat(existing).as("classes the Anatomy does not name").isSubsetOf(named);
        assertThat(named).as("names in the Anatomy that are no class").isSubsetOf(existing);
    }

    /** {@code package/Class} for each name; a bare name is in the package of the bullet's first one. */
    private static Set<String> named() throws IOException {
        String design = Files.readString(DESIGN);
        int start = design.indexOf("\n## Anatomy\n");
        assertThat(start).as("the Anatomy section of " + DESIGN).isNotNegative();
        int end = design.indexOf("\n## ", start + 1);
        String anatomy = design.substring(start, end < 0 ? design.length() : end);
        Set<String> named = new TreeSet<>();
        Matcher bullet = BULLET.matcher(anatomy);
        while (bullet.find()) {
            String pkg = null;
            Matcher name = NAME.matcher(bullet.group(1));
            while (name.find()) {
                pkg = name.group(1) == null ? pkg : name.group(1);
                named.add(pkg + "/" + name.group(2));
            }
        }
        return named;
    }

    private static Set<String> existing() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(file -> file.toString().endsWith(".java"))
                    .map(file -> SOURCES.relativize(file).toString().replace(".java", ""))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
