package io.companies.reindexer.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.ServiceProcess.Exit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A setting out of its range stops the packaged service at start, with a message that names the setting and its
 * range, instead of failing the first run that uses it. The check comes before any connection, so no service of the
 * stack is needed: the jar starts with the prod profile's settings and nothing to connect to.
 */
class BadSettingsIT {

    // Far above the few seconds a refused start takes; a service that starts anyway keeps running and fails the test.
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "REINDEX_BULK_CONCURRENCY | 0   | reindex.bulk.concurrency must be greater than or equal to 1",
            "REINDEX_SLICES_SIZE      | 0   | reindex.slices.size must be greater than or equal to 1",
            "REINDEX_POLL_INTERVAL    | -5s | reindex.poll-interval must be longer than or equal to 1 milli",
            "REINDEX_INDEX_REPLICAS   | -1  | reindex.index.replicas must be greater than or equal to 0",
            "REINDEX_SLICES_LEASE     | 1ms | reindex.slices.lease must be longer than or equal to 1 second",
            "REINDEX_BULK_MAX_BYTES   | 1G  | reindex.bulk.max-bytes must be between 1 and 104857600 bytes",
            "REINDEX_SWAP_MIN_RATIO   | 1.5 | reindex.swap.min-ratio must be less than or equal to 1",
            "REINDEX_SWAP_MIN_RATIO   | NaN | reindex.swap.min-ratio must be greater than or equal to 0" })
    void aSettingOutOfItsRangeStopsTheStart(String variable, String value, String message) throws Exception {
        Exit exit = ServiceProcess.runUntilExit("bad-settings-" + variable, Map.of(variable, value), EXIT_TIMEOUT);

        assertThat(exit.code()).as("exit code of a start with %s=%s", variable, value).isNotZero();
        assertThat(exit.log()).contains("Configuration validation failed").contains(message)
                .doesNotContain("started in");
    }
}
