package io.companies.reindexer.api;

import static io.companies.reindexer.testing.ServiceTopics.RUN_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.jwt.util.KeyUtils;

/**
 * Who may call the HTTP API ({@code shared/spec/http.md}): bearer tokens, their groups, and the problem details of
 * every refusal; the probes, the scrapers and (in test) the API description stay open.
 */
@QuarkusTest
class ReindexResourceSecurityTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    DataSource dataSource;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void withoutATokenEveryCallGets401WithAChallenge() throws Exception {
        for (HttpResponse<String> answer : List.of(post(null, "{}"), get(null, "/reindex/runs"),
                get(null, "/reindex/runs/some-id"), get(null, "/reindex/definition"))) {
            assertProblem(answer, 401);
            assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        }
    }

    @Test
    void anExpiredForeignOrWronglySignedTokenGets401() throws Exception {
        Instant now = Instant.now();
        String expired = Tokens.sign(Tokens.claims(Tokens.ADMIN_NAME, ReindexResource.ADMIN)
                .issuedAt(now.minus(Duration.ofMinutes(20))).expiresAt(now.minus(Duration.ofMinutes(10))));
        String otherIssuer = Tokens.sign(Tokens.claims(Tokens.ADMIN_NAME, ReindexResource.ADMIN)
                .issuer("https://issuer.elsewhere.test"));
        String otherKey = Tokens.claims(Tokens.ADMIN_NAME, ReindexResource.ADMIN)
                .sign(KeyUtils.generateKeyPair(2048).getPrivate());

        for (String token : List.of(expired, otherIssuer, otherKey, "not-a-jwt")) {
            HttpResponse<String> answer = post(token, "{}");
            assertProblem(answer, 401);
            assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertProblem(get(token, "/reindex/runs"), 401);
        }
    }

    @Test
    void aTokenWithoutEitherGroupGets403() throws Exception {
        String outsider = Tokens.sign(Tokens.claims("someone@companies.io", "accounting"));

        assertProblem(post(outsider, "{}"), 403);
        assertProblem(get(outsider, "/reindex/runs"), 403);
        assertProblem(get(outsider, "/reindex/runs/some-id"), 403);
        assertProblem(get(outsider, "/reindex/definition"), 403);
    }

    @Test
    void aViewerReadsTheRunsButCannotRequestOne() throws Exception {
        HttpResponse<String> runs = get(Tokens.viewer(), "/reindex/runs");
        assertThat(runs.statusCode()).as(runs.body()).isEqualTo(200);
        assertThat(json.readTree(runs.body()).isArray()).isTrue();

        assertProblem(post(Tokens.viewer(), "{}"), 403);
    }

    @Test
    void anAdminRequestIsRecordedUnderTheCallersNameAndAViewerSeesIt() throws Exception {
        HttpResponse<String> accepted = post(Tokens.admin(), "{}");

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode submitted = json.readTree(accepted.body());
        String requestId = submitted.get("requestId").asText();
        assertThat(submitted.get("decision").asText()).isEqualTo("ACCEPTED");
        URI location = URI.create(accepted.headers().firstValue("Location").orElseThrow());
        assertThat(location.getPath()).isEqualTo("/reindex/runs/" + requestId);

        HttpResponse<String> view = get(Tokens.viewer(), location.getPath());
        assertThat(view.statusCode()).as(view.body()).isEqualTo(200);
        assertThat(json.readTree(view.body()).get("requestId").asText()).isEqualTo(requestId);
        assertThat(requestedBy(requestId)).isEqualTo(Tokens.ADMIN_NAME);

        // The run this request started must be over before another test of this application starts its own.
        await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> json.readTree(get(Tokens.viewer(), location.getPath()).body()).get("state").asText(),
                        state -> Set.of("COMPLETED", "FAILED").contains(state));
    }

    @Test
    void aBodyOver64KiBGets413WithOrWithoutADeclaredLength() throws Exception {
        byte[] large = ("{\"requestedBy\":\"" + "x".repeat(1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpRequest declared = HttpRequest.newBuilder(base.resolve("/reindex"))
                .header("Authorization", "Bearer " + Tokens.admin()).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofByteArray(large)).build();
        HttpRequest chunked = HttpRequest.newBuilder(base.resolve("/reindex"))
                .header("Authorization", "Bearer " + Tokens.admin()).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large))).build();

        // The default client upgrades a new connection to HTTP/2: each answer is checked over HTTP/1.1 too.
        HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (HttpClient client : List.of(http1, http)) {
            assertProblem(client.send(declared, BodyHandlers.ofString()), 413);
            assertProblem(client.send(chunked, BodyHandlers.ofString()), 413);
            assertThat(client.send(HttpRequest.newBuilder(base.resolve("/reindex/runs"))
                    .header("Authorization", "Bearer " + Tokens.viewer()).build(), BodyHandlers.ofString())
                    .statusCode()).as("the next request of this client").isEqualTo(200);
        }
    }

    @Test
    void aBodyThatIsNotJsonGets415() throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(base.resolve("/reindex"))
                .header("Authorization", "Bearer " + Tokens.admin()).header("Content-Type", "text/plain")
                .POST(BodyPublishers.ofString("{}")).build(), BodyHandlers.ofString());

        assertProblem(answer, 415);
    }

    @Test
    void aMalformedBodyGets400WhoseDetailHasNoRawControlCharacter() throws Exception {
        // A token Jackson quotes in its reason, with a raw U+0001 in it.
        byte[] body = "{\"alias\": x\u0001y}".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(base.resolve("/reindex"))
                .header("Authorization", "Bearer " + Tokens.admin()).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());

        String detail = assertProblem(answer, 400).get("detail").asText();
        assertThat(detail).contains("not valid JSON").contains("x\\u0001y");
        assertThat(detail.chars()).noneMatch(c -> c < 0x20 || c == 0x7F);
    }

    @Test
    void anUnknownRequestGets404WhoseDetailHasNoRawControlCharacter() throws Exception {
        String detail = assertProblem(get(Tokens.viewer(), "/reindex/runs/a%01b"), 404).get("detail").asText();

        assertThat(detail).endsWith("a\\u0001b");
    }

    @Test
    void aPageOutOfRangeGets400() throws Exception {
        for (String query : List.of("limit=0", "limit=101", "limit=ten", "before=0")) {
            assertProblem(get(Tokens.viewer(), "/reindex/runs?" + query), 400);
        }
    }

    @Test
    void probesScrapersAndTheApiDescriptionNeedNoToken() throws Exception {
        assertThat(get(null, "/q/health/live").statusCode()).isEqualTo(200);
        assertThat(get("stale-or-garbage", "/q/health/ready").statusCode()).isEqualTo(200);
        assertThat(get(null, "/q/metrics").body()).contains("reindex_");
        assertThat(get(null, "/q/openapi").body()).contains("/reindex/runs/{requestId}");
        assertThat(get(null, "/q/swagger-ui/").statusCode()).isEqualTo(200);
    }

    private JsonNode assertProblem(HttpResponse<String> answer, int status) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith(Problem.MEDIA_TYPE));
        JsonNode problem = json.readTree(answer.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("type").asText()).isEqualTo("about:blank");
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        return problem;
    }

    private HttpResponse<String> post(String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/reindex"))
                .header("Content-Type", "application/json").POST(BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String token, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), BodyHandlers.ofString());
    }

    private String requestedBy(String requestId) throws Exception {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection
                        .prepareStatement("select requested_by from reindexer.reindex_request where request_id = ?")) {
            select.setString(1, requestId);
            try (ResultSet rows = select.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getString(1);
            }
        }
    }
}
