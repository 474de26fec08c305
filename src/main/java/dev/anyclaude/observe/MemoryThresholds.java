package dev.anyclaude.observe;

/**
 * The fractions of a limit at which memory pressure becomes a warning or critical, and the margin it must
 * fall below a threshold by before that level counts as left (so a reading hovering at the threshold
 * does not fire the same actions again and again).
 */
public record MemoryThresholds(double warning, double critical, double hysteresis) {
    public MemoryThresholds {
        if (!(warning > 0 && warning < critical && critical <= 1)) {
            throw new IllegalArgumentException("memory thresholds: warning " + warning + ", critical " + critical
                    + " (expected: 0 < warning < critical <= 1)");
        }
        if (!(hysteresis >= 0 && hysteresis < warning)) {
            throw new IllegalArgumentException("memory hysteresis: " + hysteresis + " (expected: 0 <= it < warning)");
        }
    }

    /** From the percentages of {@code --memory-warning} and {@code --memory-critical}, with a 5-point margin. */
    public static MemoryThresholds ofPercent(int warning, int critical) {
        if (warning < 1 || warning > 99) {
            throw new IllegalArgumentException(
                    "--memory-warning: " + warning + " (expected: a percentage from 1 to 99)");
        }
        if (critical <= warning || critical > 100) {
            throw new IllegalArgumentException("--memory-critical: " + critical
                    + " (expected: a percentage above --memory-warning " + warning + ", at most 100)");
        }
        return new MemoryThresholds(warning / 100.0, critical / 100.0, Math.min(0.05, warning / 200.0));
    }

    /** The level a fraction of a limit stands at, given the level already reached (hysteresis). */
    PressureLevel levelFor(double fraction, PressureLevel current) {
        if (fraction >= critical || (current == PressureLevel.CRITICAL && fraction >= critical - hysteresis)) {
            return PressureLevel.CRITICAL;
        }
        if (fraction >= warning || (current != PressureLevel.NORMAL && fraction >= warning - hysteresis)) {
            return PressureLevel.WARNING;
        }
        return PressureLevel.NORMAL;
    }
}
