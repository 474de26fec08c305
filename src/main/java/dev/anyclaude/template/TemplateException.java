package dev.anyclaude.template;

/** A chat template that cannot be parsed or that fails while rendering; the message names the template line. */
public final class TemplateException extends RuntimeException {
    TemplateException(String message) {
        super(message);
    }

    static TemplateException at(int line, String message) {
        return new TemplateException("line " + line + ": " + message);
    }
}
