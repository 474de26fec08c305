package dev.anyclaude.observe;

/** How close memory is to running out, as judged by the {@link MemoryMonitor} against its thresholds. */
public enum PressureLevel {
    NORMAL,
    WARNING,
    CRITICAL;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
