package dev.anyclaude.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget.CodeUnitAccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Time comes from the one injected {@link dev.anyclaude.time.Clock}: no class reads the JVM's clocks itself, by a
 * call or by a method reference ({@code System::nanoTime}), so every cool-down, TTL, idle limit and timestamp can
 * be driven by a test's clock. Exempt are the clock's own system implementation and the benchmark tooling
 * ({@code bench}), which times the machine it runs on.
 */
@AnalyzeClasses(packages = "dev.anyclaude", importOptions = ImportOption.DoNotIncludeTests.class)
class OneClockTest {

    private static final DescribedPredicate<JavaAccess<?>> A_CLOCK_OF_THE_JVM = DescribedPredicate.describe(
            "a clock of the JVM (System.nanoTime/currentTimeMillis, now() of java.time, InstantSource.system, "
                    + "java.time.Clock.system*)",
            a -> a.getTarget() instanceof CodeUnitAccessTarget t
                    && readsTheJvmClock(t.getOwner().getName(), t.getName()));

    static boolean readsTheJvmClock(String owner, String method) {
        return switch (owner) {
            case "java.lang.System" -> method.equals("nanoTime") || method.equals("currentTimeMillis");
            case "java.time.InstantSource", "java.time.Clock" -> method.startsWith("system");
            default -> owner.startsWith("java.time.") && method.equals("now");
        };
    }

    @ArchTest
    static final ArchRule timeComesFromTheInjectedClock = noClasses()
            .that()
            .resideOutsideOfPackage("dev.anyclaude.bench..")
            .and()
            .doNotHaveFullyQualifiedName("dev.anyclaude.time.SystemClock")
            .should()
            .accessTargetWhere(A_CLOCK_OF_THE_JVM)
            .because("time is read from the Clock the class was given (dev.anyclaude.time.Clock.SYSTEM at the wiring)");
}
