package io.companies.reindexer.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import org.junit.jupiter.api.Test;

/**
 * A service deployed without a verification key starts, answers its probes, and refuses every protected call: the prod
 * profile, which has no key, instead of the test one.
 */
@QuarkusTest
@TestProfile(NoVerificationKeyTest.NoKey.class)
class NoVerificationKeyTest {

    /**
     * Its own profile: the key is read at start-up, and only the test profile has one. NONE is smallrye-jwt's "not
     * set": without it, Quarkus would make up a key pair for a test without keys, which a packaged service never has.
     */
    public static class NoKey implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "prod";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.jwt.verify.publickey", "NONE", "smallrye.jwt.sign.key", "NONE");
        }
    }

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyProtectedCallGets401AndTheProbesStillAnswer() throws Exception {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(base.resolve("/reindex"))
                .header("Authorization", "Bearer " + Tokens.admin()).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{}")).build(), BodyHandlers.ofString());
        HttpResponse<String> runs = http.send(HttpRequest.newBuilder(base.resolve("/reindex/runs"))
                .header("Authorization", "Bearer " + Tokens.viewer()).build(), BodyHandlers.ofString());

        assertThat(post.statusCode()).as(post.body()).isEqualTo(401);
        assertThat(post.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith(Problem.MEDIA_TYPE));
        assertThat(runs.statusCode()).as(runs.body()).isEqualTo(401);
        assertThat(http.send(HttpRequest.newBuilder(base.resolve("/q/health/ready")).build(), BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
    }
}
