package dev.anyclaude.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link OneClockTest}'s rule can fail: it sees each way of reading the JVM's clocks, and exempts only the system
 * clock.
 */
class OneClockRuleTest {

    /** Reads the JVM's clocks every way the rule must see. */
    @SuppressWarnings("unused")
    static final class ReadsTheJvmClock {
        long call() {
            return System.nanoTime() + System.currentTimeMillis();
        }

        LongSupplier reference() {
            return System::nanoTime;
        }

        Instant wall() {
            return Instant.now();
        }

        Supplier<ZonedDateTime> zoned() {
            return ZonedDateTime::now;
        }

        LocalDate today() {
            return LocalDate.ofInstant(InstantSource.system().instant(), java.time.ZoneOffset.UTC);
        }
    }

    @Test
    void theRuleSeesCallsAndMethodReferencesOfEveryJvmClock() {
        EvaluationResult result = OneClockTest.timeComesFromTheInjectedClock.evaluate(
                new ClassFileImporter().importClasses(ReadsTheJvmClock.class));

        assertThat(result.getFailureReport().getDetails())
                .anySatisfy(d -> assertThat(d).contains("calls method <java.lang.System.nanoTime()>"))
                .anySatisfy(d -> assertThat(d).contains("calls method <java.lang.System.currentTimeMillis()>"))
                .anySatisfy(d -> assertThat(d).contains("references method <java.lang.System.nanoTime()>"))
                .anySatisfy(d -> assertThat(d).contains("calls method <java.time.Instant.now()>"))
                .anySatisfy(d -> assertThat(d).contains("references method <java.time.ZonedDateTime.now()>"))
                .anySatisfy(d -> assertThat(d).contains("calls method <java.time.InstantSource.system()>"))
                .hasSize(6);
    }

    @Test
    void theSystemClockIsTheOneExemptReader() {
        EvaluationResult result = OneClockTest.timeComesFromTheInjectedClock.evaluate(
                new ClassFileImporter().importPackages("dev.anyclaude.time"));

        assertThat(result.hasViolation()).isFalse();
    }
}
