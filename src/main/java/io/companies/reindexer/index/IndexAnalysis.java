package io.companies.reindexer.index;

/** Names shared by the configuration and the index definition. */
public final class IndexAnalysis {

    /** The custom analyzer defined in {@code index/company-analysis.json}. */
    public static final String CUSTOM_ANALYZER = "normalize_american_english";

    private IndexAnalysis() {
    }
}
