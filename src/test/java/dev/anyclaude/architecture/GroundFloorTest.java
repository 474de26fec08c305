package dev.anyclaude.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The packages at the bottom of the house stand on the JDK and Jackson alone: chat templates ({@code template}) and
 * tool-call formats ({@code toolcall}, its grammars in {@code toolcall.grammar}) are read by the embedded engine and
 * by every raw-text backend, so nothing of the request path may leak into them. JSpecify's nullness annotations
 * ({@code @NullMarked}, {@code @Nullable}) are allowed: they carry no behaviour.
 */
@AnalyzeClasses(packages = "dev.anyclaude", importOptions = ImportOption.DoNotIncludeTests.class)
class GroundFloorTest {

    @ArchTest
    static final ArchRule templatesStandOnTheJdkAndJacksonAlone = classes()
            .that()
            .resideInAPackage("dev.anyclaude.template..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("dev.anyclaude.template..", "java..", "com.fasterxml.jackson..", "org.jspecify..");

    @ArchTest
    static final ArchRule toolCallFormatsStandOnTheJdkAndJacksonAlone = classes()
            .that()
            .resideInAPackage("dev.anyclaude.toolcall..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("dev.anyclaude.toolcall..", "java..", "com.fasterxml.jackson..", "org.jspecify..");

    /**
     * The engine (binding, natives, context and sequences, GGUF writer) knows nothing of HTTP, of the request
     * path or of the command line: it speaks the gateway's vocabulary ({@code messages}) and counts reuse with
     * {@code prefix}'s figures, and the embedded backend adapts it, not the other way round.
     */
    @ArchTest
    static final ArchRule theEngineStandsBelowTheBackends = classes()
            .that()
            .resideInAPackage("dev.anyclaude.engine..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                    "dev.anyclaude.engine..",
                    "dev.anyclaude.messages..",
                    "dev.anyclaude.prefix..",
                    "dev.anyclaude.template..",
                    "dev.anyclaude.time..",
                    "java..",
                    "org.slf4j..",
                    "org.apache.commons.compress..")
            .andShould()
            .onlyDependOnClassesThat()
            .resideOutsideOfPackages(
                    "dev.anyclaude.backend..",
                    "dev.anyclaude.cli..",
                    "dev.anyclaude.bench..",
                    "dev.anyclaude.translate..");
}
