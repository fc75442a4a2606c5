package io.companies.reindexer.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The owning application's code lists (industries, regions, countries, languages), carried as resources
 * {@code labels/*.csv} with the columns {@code code,label}. An unknown code is its own label.
 */
public final class CodeLists {

    private final Map<String, String> industries = load("industries");
    private final Map<String, String> regions = load("regions");
    private final Map<String, String> countries = load("countries");
    private final Map<String, String> languages = load("languages");

    /** Every code and its label, list by list, in a stable order: what the lists decide in a document. */
    String canonical() {
        StringBuilder all = new StringBuilder();
        Map.of("industries", industries, "regions", regions, "countries", countries, "languages", languages)
                .entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(list -> {
                    all.append(list.getKey()).append('\n');
                    list.getValue().entrySet().stream().sorted(Map.Entry.comparingByKey())
                            .forEach(label -> all.append(label.getKey()).append('=').append(label.getValue())
                                    .append('\n'));
                });
        return all.toString();
    }

    public List<String> industryLabels(List<String> codes) {
        return labels(industries, codes);
    }

    public List<String> regionLabels(List<String> codes) {
        return labels(regions, codes);
    }

    public List<String> countryLabels(List<String> codes) {
        return labels(countries, codes);
    }

    public List<String> languageLabels(List<String> codes) {
        return labels(languages, codes);
    }

    private static List<String> labels(Map<String, String> list, List<String> codes) {
        return codes.stream().map(code -> list.getOrDefault(code, code)).toList();
    }

    private static Map<String, String> load(String name) {
        String resource = "labels/" + name + ".csv";
        try (InputStream in = CodeLists.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing code list " + resource);
            }
            Map<String, String> labels = new HashMap<>();
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            lines.readLine(); // header
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                int comma = line.indexOf(',');
                if (comma > 0) {
                    labels.put(line.substring(0, comma), unquote(line.substring(comma + 1)));
                }
            }
            return labels;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read code list " + resource, e);
        }
    }

    /** Codes never contain commas; labels that do are quoted, with {@code ""} for a quote. */
    private static String unquote(String label) {
        if (label.length() >= 2 && label.startsWith("\"") && label.endsWith("\"")) {
            return label.substring(1, label.length() - 1).replace("\"\"", "\"");
        }
        return label;
    }
}
