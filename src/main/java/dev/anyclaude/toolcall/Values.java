package dev.anyclaude.toolcall;

/** The text of a value written between tags. */
final class Values {
    private Values() {}

    /** Without one line break at each end: the layout the templates put around a value. */
    static String trimOneNewline(String value) {
        if (value.startsWith("\r\n")) {
            value = value.substring(2);
        } else if (value.startsWith("\n")) {
            value = value.substring(1);
        }
        if (value.endsWith("\r\n")) {
            value = value.substring(0, value.length() - 2);
        } else if (value.endsWith("\n")) {
            value = value.substring(0, value.length() - 1);
        }
        return value;
    }
}
