package io.companies.reindexer.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Tracing switched on, its spans kept in memory ({@link SpansInMemory}) rather than sent: a profile of its own, since
 * the SDK is made at start-up; the tests that use it share one start of Quarkus.
 */
public class Traced implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "100ms");
    }
}
