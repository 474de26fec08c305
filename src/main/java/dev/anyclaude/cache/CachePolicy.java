package dev.anyclaude.cache;

import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.MessagesRequest;
import java.util.Locale;

/** When the response cache answers and stores: the {@code --response-cache} setting. */
public enum CachePolicy {
    /**
     * Only requests sampled without randomness: temperature absent or 0. A request with a higher
     * temperature asks for variety, and a stored answer would take it away.
     */
    DETERMINISTIC,
    /** Every request, whatever its temperature. */
    ALWAYS,
    /** Never. */
    OFF;

    /** Whether a request may be answered from, and stored into, the cache under this policy. */
    public boolean admits(MessagesRequest request) {
        return switch (this) {
            case OFF -> false;
            case ALWAYS -> true;
            case DETERMINISTIC -> request.temperature() == null || request.temperature() == 0.0;
        };
    }

    /** The option value: {@code deterministic}, {@code always} or {@code off}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads an option value, ignoring case and surrounding blanks. */
    public static CachePolicy parse(String value) {
        if (value != null) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            for (CachePolicy p : values()) {
                if (p.wire().equals(v)) {
                    return p;
                }
            }
        }
        throw GatewayException.invalid("response-cache: " + (value == null ? "missing" : "'" + value + "'")
                + " (expected: deterministic, always or off)");
    }
}
