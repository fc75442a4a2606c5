package io.companies.reindexer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Another build of the service, as a rolling deploy runs it beside this one: a copy of the packaged application in
 * which one label of one code list differs.
 */
public final class OtherBuild {

    private static final Path PACKAGED = Path.of("target", "quarkus-app");

    private OtherBuild() {
    }

    /**
     * Copies the packaged application to {@code target/quarkus-app-<name>} with {@code code} labelled {@code label} in
     * the code list {@code list}, and returns the copy's jar to start.
     */
    public static Path withLabel(String name, String list, String code, String label) throws IOException {
        Path copy = Path.of("target", "quarkus-app-" + name);
        try (Stream<Path> files = Files.walk(PACKAGED)) {
            files.forEach(file -> copyInto(copy, file));
        }
        Path appJar;
        try (Stream<Path> jars = Files.list(copy.resolve("app"))) {
            appJar = jars.filter(jar -> jar.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        try (FileSystem jar = FileSystems.newFileSystem(appJar)) {
            Path csv = jar.getPath("labels", list + ".csv");
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            if (lines.stream().noneMatch(line -> line.startsWith(code + ","))) {
                throw new IllegalArgumentException("Code " + code + " is not in the code list " + list);
            }
            Files.write(csv, lines.stream().map(line -> line.startsWith(code + ",") ? code + "," + label : line)
                    .toList(), StandardCharsets.UTF_8);
        }
        return copy.resolve("quarkus-run.jar");
    }

    private static void copyInto(Path copy, Path file) {
        try {
            Path target = copy.resolve(PACKAGED.relativize(file).toString());
            if (Files.isDirectory(file)) {
                Files.createDirectories(target);
            } else {
                Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
