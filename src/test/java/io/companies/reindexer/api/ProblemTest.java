package io.companies.reindexer.api;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.Response.Status;

import org.junit.jupiter.api.Test;

class ProblemTest {

    @Test
    void theTitleIsTheStatusPhraseTheTypeTheDefaultAndTheDetailEscaped() {
        assertThat(Problem.of(Status.NOT_FOUND, "No accepted request has id a\u0001b\uD800"))
                .isEqualTo(new Problem("about:blank", "Not Found", 404, "No accepted request has id a\\u0001b\\ud800"));
    }
}
