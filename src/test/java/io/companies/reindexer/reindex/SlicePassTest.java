package io.companies.reindexer.reindex;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.index.SearchEngine;
import io.companies.reindexer.state.SliceLedger.Bounds;
import io.companies.reindexer.state.SliceLedger.Claim;
import io.companies.reindexer.testing.FeatureFlagOff;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.SourceRows;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A catch-up pass taken over from a claim that did not finish it, against the real PostgreSQL and engine: the earlier
 * claim created documents, and the companies of some are gone from the source since. The pass done again deletes
 * those, which it would otherwise never look at (gone from the source, unknown to the slice's fingerprints), keeps
 * the documents of companies still published and writes them as they are now, and the run's writer aliases stay the
 * index's own.
 */
@QuarkusTest
@TestProfile(FeatureFlagOff.class)
class SlicePassTest {

    private static final Bounds EVERY_ID = new Bounds(Integer.MIN_VALUE, Integer.MAX_VALUE);

    @Inject
    SlicePass pass;

    @Inject
    SearchEngine engine;

    @Inject
    BuildDefinition build;

    @Inject
    DataSource dataSource;

    @Inject
    RestClient engineClient;

    private SourceRows rows;
    private SearchIndices search;
    private String index;

    @BeforeEach
    void loadedSlice() throws Exception {
        rows = new SourceRows(dataSource);
        search = new SearchIndices(engineClient);
        rows.reset();
        rows.generate(200, 0.71);
        index = "companies-slice-pass-test-" + ThreadLocalRandom.current().nextInt(1_000_000);
        engine.createIndex(index, build.index().forLoading());
    }

    @AfterEach
    void deleteIndex() throws IOException {
        engineClient.performRequest(new Request("DELETE", "/" + index));
    }

    @Test
    void aCatchUpTakenOverDeletesWhatTheEarlierClaimCreatedForCompaniesGoneSince() throws Exception {
        SlicePass.Done load = pass.run(new Claim(1, 0, EVERY_ID, 0, 1, 0, null, index, List.of(), null), () -> {
        });
        // What an earlier claim of pass 1 created before it stopped: two companies new since the load.
        int gone = rows.insertCompany("Gone since", true, "{}");
        int kept = rows.insertCompany("Still published", true, "{}");
        writeAsAnEarlierClaimDid(gone, "Gone since");
        writeAsAnEarlierClaimDid(kept, "Still published, as it was");
        rows.deleteCompany(gone);

        SlicePass.Done again = pass.run(new Claim(1, 0, EVERY_ID, 1, 2, 0, load.fingerprints(), index, List.of(), null), () -> {
        });

        search.refresh(index);
        assertThat(search.source(index, String.valueOf(gone))).as("the company gone from the source").isNull();
        assertThat(search.source(index, String.valueOf(kept)).path("name").asText()).isEqualTo("Still published");
        assertThat(search.count(index)).isEqualTo(rows.publishedCompanies()).isEqualTo(again.documents());
        assertThat(search.aliasesOf(index)).as("the writers of both claims, the first closed by the second")
                .containsExactly(index + ".slice-0.pass-1.attempt-2");
    }

    private void writeAsAnEarlierClaimDid(int id, String name) throws IOException {
        Request put = new Request("PUT", "/" + index + "/_doc/" + id);
        put.setJsonEntity("{\"pk\":" + id + ",\"name\":\"" + name + "\"}");
        engineClient.performRequest(put);
    }
}
