package dev.anyclaude.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The command line sits on top: a gateway starts from {@code gateway.Settings}, which {@code cli.ServeOptions}
 * builds, so nothing below {@code cli} knows picocli's option holders. Only {@code Main} (the root package) and the
 * benchmarks, which drive the commands, may use {@code cli}.
 */
@AnalyzeClasses(packages = "dev.anyclaude", importOptions = ImportOption.DoNotIncludeTests.class)
class CommandLineOnTopTest {

    @ArchTest
    static final ArchRule nothingBelowTheCommandLineUsesIt = noClasses()
            .that()
            .resideOutsideOfPackages("dev.anyclaude.cli..", "dev.anyclaude.bench..", "dev.anyclaude")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.anyclaude.cli..");
}
