package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.companies.reindexer.testing.ComparedCompanies;
import io.companies.reindexer.testing.FaultyEngineProxy;
import io.companies.reindexer.testing.OwningApplication;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Liveness sees the work of every stage, not only the load: with {@code reindex.stall-timeout} at 20 s, a catch-up
 * that lasts over 40 s (the owning application writes all along, and the catch-up's first 50 look-ups reach the engine a
 * second late) keeps reading pages and finishing slices, so the liveness probe answers UP throughout and the run
 * completes. Before, the leader counted only documents loaded, and liveness went DOWN 20 s into such a catch-up.
 */
class LongCatchUpLivenessIT {

    private static final String ALIAS = "companies";
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern CATCH_UP_TIME = Pattern.compile("stage times: .*catch up (\\d+) ms");

    @Test
    void aCatchUpLongerThanTheStallTimeoutKeepsTheServiceLive() throws Exception {
        try (PackagedServices services = new PackagedServices();
                FaultyEngineProxy proxy = FaultyEngineProxy.start(services.engineAddress())) {
            services.freshSource(10_000, 0.71);
            Map<String, String> properties = services.serviceProperties(proxy.hostAndPort());
            properties.put("reindex.stall-timeout", STALL_TIMEOUT.toSeconds() + "s");
            properties.put("reindex.slices.size", "1250");
            ComparedCompanies compared = new ComparedCompanies(services.dataSource());

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess service = ServiceProcess.start("long-catch-up", properties)) {
                assertThat(services.outcome(outcomes, services.request(requests, newRequestId())).get("status")
                        .asText()).isEqualTo("COMPLETED");
                List<String> downs = new CopyOnWriteArrayList<>();
                AtomicBoolean watching = new AtomicBoolean(true);
                Thread probe = Thread.ofVirtual().start(() -> probeLiveness(service, watching, downs));
                try (OwningApplication application = OwningApplication.start(services.dataSource(),
                        services.engineAddress(), ALIAS, 20, compared::documentOf, 11)) {
                    proxy.delay("GET", "/companies-[a-z0-9]{32}/_mget", 50, Duration.ofSeconds(1));
                    JsonNode outcome = services.outcome(outcomes, services.request(requests, newRequestId()),
                            Duration.ofMinutes(5));
                    assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                } finally {
                    watching.set(false);
                    probe.join();
                }
                Matcher catchUp = CATCH_UP_TIME.matcher(service.log().lines().filter(CATCH_UP_TIME.asPredicate())
                        .reduce((first, last) -> last).orElseThrow());
                assertThat(catchUp.find()).isTrue();
                assertThat(Duration.ofMillis(Long.parseLong(catchUp.group(1)))).as("the catch-up before the swap")
                        .isGreaterThan(STALL_TIMEOUT.multipliedBy(2));
                assertThat(downs).as("liveness answers that were not UP").isEmpty();
            }
        }
    }

    /** Reads the liveness probe every half second, as Kubernetes would, keeping every answer that is not UP. */
    private static void probeLiveness(ServiceProcess service, AtomicBoolean watching, List<String> downs) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest live = HttpRequest.newBuilder(service.baseUri().resolve("/q/health/live"))
                .timeout(Duration.ofSeconds(5)).build();
        while (watching.get()) {
            try {
                HttpResponse<String> answer = http.send(live, HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() != 200) {
                    downs.add(answer.statusCode() + " " + answer.body());
                }
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                downs.add(e.toString());
            }
        }
    }
}
