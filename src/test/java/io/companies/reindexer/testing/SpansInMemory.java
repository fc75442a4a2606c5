package io.companies.reindexer.testing;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

/**
 * The span exporter of the tests: Quarkus's OpenTelemetry hands the spans to the exporter beans it finds, and the test
 * profile leaves out the OTLP one, so spans are kept here, where a test reads them, and sent nowhere.
 */
public class SpansInMemory {

    @Produces
    @Singleton
    InMemorySpanExporter spans() {
        return InMemorySpanExporter.create();
    }
}
