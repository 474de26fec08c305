package dev.anyclaude.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The house, floor by floor: every import runs down. Top to bottom —
 *
 * <ol>
 *   <li>{@code dev.anyclaude} ({@code Main}): the entry point;
 *   <li>{@code cli}: the commands, which turn flags into settings;
 *   <li>{@code gateway}: the wiring — constructor calls from one settings record;
 *   <li>{@code api}: the HTTP edge, the request path's stages from route to backend and back;
 *   <li>{@code observe}: metrics, logs, readiness, memory, the circuit breaker around the backend;
 *   <li>{@code l1}, {@code route}, {@code safeguard}: features that wrap a backend;
 *   <li>{@code backend}: the {@code Backend} interface, model servers, the embedded adapter, launching;
 *   <li>{@code engine}: llama.cpp in the JVM;
 *   <li>{@code translate}, {@code cache}: OpenAI ⇄ Anthropic, the exact response cache;
 *   <li>{@code prefix}: prompt normalization, fingerprints, reuse figures;
 *   <li>{@code template}, {@code toolcall}: chat templates and tool-call formats;
 *   <li>{@code messages}, {@code time}: the Anthropic vocabulary every floor speaks, and the one clock.
 * </ol>
 *
 * A floor may use any floor below it and none above; benchmark tooling lives in its own source set and is not
 * part of the product.
 */
@AnalyzeClasses(packages = "dev.anyclaude", importOptions = ImportOption.DoNotIncludeTests.class)
class LayersTest {

    @ArchTest
    static final ArchRule importsRunDownhill = layeredArchitecture()
            .consideringOnlyDependenciesInAnyPackage("dev.anyclaude..")
            .layer("Main")
            .definedBy("dev.anyclaude")
            .layer("Commands")
            .definedBy("dev.anyclaude.cli..")
            .layer("Wiring")
            .definedBy("dev.anyclaude.gateway..")
            .layer("Edge")
            .definedBy("dev.anyclaude.api..")
            .layer("Operations")
            .definedBy("dev.anyclaude.observe..")
            .layer("Features")
            .definedBy("dev.anyclaude.l1..", "dev.anyclaude.route..", "dev.anyclaude.safeguard..")
            .layer("Backends")
            .definedBy("dev.anyclaude.backend..")
            .layer("Engine")
            .definedBy("dev.anyclaude.engine..")
            .layer("Translation")
            .definedBy("dev.anyclaude.translate..", "dev.anyclaude.cache..")
            .layer("Prefix")
            .definedBy("dev.anyclaude.prefix..")
            .layer("Formats")
            .definedBy("dev.anyclaude.template..", "dev.anyclaude.toolcall..")
            .layer("Ground")
            .definedBy("dev.anyclaude.messages..", "dev.anyclaude.time..")
            .whereLayer("Main")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("Commands")
            .mayOnlyBeAccessedByLayers("Main")
            .whereLayer("Wiring")
            .mayOnlyBeAccessedByLayers("Main", "Commands")
            .whereLayer("Edge")
            .mayOnlyBeAccessedByLayers("Main", "Commands", "Wiring")
            .whereLayer("Operations")
            .mayOnlyBeAccessedByLayers("Main", "Commands", "Wiring", "Edge")
            .whereLayer("Features")
            .mayOnlyBeAccessedByLayers("Main", "Commands", "Wiring", "Edge", "Operations")
            .whereLayer("Backends")
            .mayOnlyBeAccessedByLayers("Main", "Commands", "Wiring", "Edge", "Operations", "Features")
            .whereLayer("Engine")
            .mayOnlyBeAccessedByLayers("Main", "Commands", "Wiring", "Edge", "Operations", "Features", "Backends")
            .whereLayer("Translation")
            .mayOnlyBeAccessedByLayers(
                    "Main", "Commands", "Wiring", "Edge", "Operations", "Features", "Backends", "Engine")
            .whereLayer("Prefix")
            .mayOnlyBeAccessedByLayers(
                    "Main", "Commands", "Wiring", "Edge", "Operations", "Features", "Backends", "Engine", "Translation")
            .whereLayer("Formats")
            .mayOnlyBeAccessedByLayers(
                    "Main",
                    "Commands",
                    "Wiring",
                    "Edge",
                    "Operations",
                    "Features",
                    "Backends",
                    "Engine",
                    "Translation",
                    "Prefix");

    /** No two packages lean on each other, at any depth (a {@code backend.launch} ⇄ {@code backend} circle too). */
    @ArchTest
    static final ArchRule noPackageCircles =
            slices().matching("dev.anyclaude.(**)").should().beFreeOfCycles();
}
