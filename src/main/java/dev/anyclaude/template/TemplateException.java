package dev.anyclaude.template;

/** A chat template that cannot be parsed or that fails while rendering; the message names the template line. */
public final class TemplateException extends RuntimeException {
    private final boolean located;

    TemplateException(String message) {
        this(message, false);
    }

    private TemplateException(String message, boolean located) {
        super(message);
        this.located = located;
    }

    static TemplateException at(int line, String message) {
        return new TemplateException("line " + line + ": " + message, true);
    }

    /** This error, naming {@code line} unless it names one already. */
    TemplateException locatedAt(int line) {
        return located ? this : at(line, String.valueOf(getMessage()));
    }
}
