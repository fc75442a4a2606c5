package io.companies.reindexer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The README's Operations table has a row for each failure an operator meets during a rolling deploy, and every test
 * it names as the one that shows it exists.
 */
class OperationsTableTest {

    private static final Path README = Path.of("README.md");
    private static final Path TESTS = Path.of("src/test/java");
    private static final List<String> FAILURES = List.of("SIGKILL", "SIGTERM", "lost lock", "PostgreSQL down",
            "engine down", "Kafka down", "lost answer");
    private static final List<String> HEADER = List.of("failure", "before the swap", "after the swap",
            "what the requester gets", "the test that shows it");
    private static final Pattern TEST_NAME = Pattern.compile("`(\\w+(?:Test|IT))`");

    @Test
    void hasARowForEachFailure() throws IOException {
        List<List<String>> rows = rows();
        List<String> failures = rows.stream().map(row -> row.get(0).toLowerCase(Locale.ROOT)).toList();
        for (String failure : FAILURES) {
            assertThat(failures).as("a row for " + failure)
                    .anyMatch(cell -> cell.contains(failure.toLowerCase(Locale.ROOT)));
        }
    }

    @Test
    void namesATestInEveryRowAndOnlyTestsThatExist() throws IOException {
        Set<String> existing = existingTests();
        for (List<String> row : rows()) {
            Set<String> named = new TreeSet<>();
            Matcher name = TEST_NAME.matcher(row.get(HEADER.size() - 1));
            while (name.find()) {
                named.add(name.group(1));
            }
            assertThat(named).as("the tests named for " + row.get(0)).isNotEmpty();
            assertThat(existing).as("tests under " + TESTS + ", named for " + row.get(0)).containsAll(named);
        }
    }

    /** The cells of each row of the table, after its header and its separator. */
    private static List<List<String>> rows() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("\n## Operations\n");
        assertThat(start).as("the Operations section of " + README).isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        List<String> lines = readme.substring(start, end < 0 ? readme.length() : end).lines()
                .dropWhile(line -> !line.startsWith("|"))
                .takeWhile(line -> line.startsWith("|"))
                .toList();
        assertThat(lines).as("the Operations table: a header, a separator and rows").hasSizeGreaterThan(2);
        assertThat(cells(lines.get(0)).stream().map(cell -> cell.toLowerCase(Locale.ROOT)).toList())
                .as("the columns of the Operations table").isEqualTo(HEADER);
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines.subList(2, lines.size())) {
            List<String> cells = cells(line);
            assertThat(cells).as(line).hasSize(HEADER.size());
            rows.add(cells);
        }
        return rows;
    }

    private static List<String> cells(String line) {
        String inner = line.strip();
        inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
        return Stream.of(inner.split("\\|", -1)).map(String::strip).toList();
    }

    /** The simple names of the test classes: files under src/test/java whose name ends in Test or IT. */
    private static Set<String> existingTests() throws IOException {
        try (Stream<Path> files = Files.walk(TESTS)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith("Test.java") || name.endsWith("IT.java"))
                    .map(name -> name.substring(0, name.length() - ".java".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
