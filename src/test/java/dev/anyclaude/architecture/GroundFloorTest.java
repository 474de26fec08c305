package dev.anyclaude.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The packages at the bottom of the house stand on the JDK and Jackson alone: chat templates ({@code template}) and
 * tool-call formats ({@code toolcall}, its grammars in {@code toolcall.grammar}) are read by the embedded engine and
 * by every raw-text backend, so nothing of the request path may leak into them.
 */
@AnalyzeClasses(packages = "dev.anyclaude", importOptions = ImportOption.DoNotIncludeTests.class)
class GroundFloorTest {

    @ArchTest
    static final ArchRule templatesStandOnTheJdkAndJacksonAlone = classes().that().resideInAPackage("dev.anyclaude.template..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("dev.anyclaude.template..", "java..",
                    "com.fasterxml.jackson..");

    @ArchTest
    static final ArchRule toolCallFormatsStandOnTheJdkAndJacksonAlone = classes().that()
            .resideInAPackage("dev.anyclaude.toolcall..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("dev.anyclaude.toolcall..", "java..",
                    "com.fasterxml.jackson..");
}
