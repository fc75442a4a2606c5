package io.companies.reindexer;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The package graph of the service points one way, downwards: the front doors (HTTP, Kafka, health) use the
 * coordination, which uses the run, which uses the adapters of the source, the engine, the service's tables and the
 * outgoing topic, which use only the contract types, the configuration and the plumbing (background threads, backoff).
 */
class ArchitectureTest {

    private static final JavaClasses SERVICE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.companies.reindexer");

    @Test
    void importsPointOnlyDownwards() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("front doors").definedBy("..reindexer.api..", "..reindexer.intake..", "..reindexer.health..")
                .layer("coordination").definedBy("..reindexer.coordination..")
                .layer("run").definedBy("..reindexer.reindex..")
                .layer("adapters").definedBy("..reindexer.source..", "..reindexer.index..", "..reindexer.state..",
                        "..reindexer.messaging..")
                .layer("contract, config and plumbing").definedBy("..reindexer.contract..", "..reindexer.config..",
                        "..reindexer.plumbing..")
                .whereLayer("front doors").mayNotBeAccessedByAnyLayer()
                .whereLayer("coordination").mayOnlyBeAccessedByLayers("front doors")
                .whereLayer("run").mayOnlyBeAccessedByLayers("front doors", "coordination")
                .whereLayer("adapters").mayOnlyBeAccessedByLayers("front doors", "coordination", "run")
                .check(SERVICE);
    }

    @Test
    void frontDoorsAndAdaptersDoNotUseTheirNeighbours() {
        slices().matching("..reindexer.(api|intake|health)..").should().notDependOnEachOther().check(SERVICE);
        slices().matching("..reindexer.(source|index|state|messaging)..").should().notDependOnEachOther()
                .check(SERVICE);
    }

    @Test
    void noPackagesDependOnEachOtherInACycle() {
        slices().matching("io.companies.reindexer.(*)..").should().beFreeOfCycles().check(SERVICE);
    }
}
