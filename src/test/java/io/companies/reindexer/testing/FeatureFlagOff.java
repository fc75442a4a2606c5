package io.companies.reindexer.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The feature flag switched off. A profile of its own because the flag is read at start-up, as in production; the
 * tests that use it share one start of Quarkus. The rebuild on change is switched on, to show that the flag alone
 * stops it.
 */
public class FeatureFlagOff implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("reindex.enabled", "false", "reindex.rebuild-on-change", "true");
    }
}
