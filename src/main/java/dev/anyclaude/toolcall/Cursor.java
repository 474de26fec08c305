package dev.anyclaude.toolcall;

/**
 * A position in a call block that is still arriving. Reading past what has arrived throws {@link #MORE} (wait for
 * more text) or, once the text has ended, {@link #MALFORMED}; a block that cannot be a call throws
 * {@link #MALFORMED} at once. The exceptions carry no stack: they are control flow of the format readers.
 */
final class Cursor {
    static final Stop MORE = new Stop();
    static final Stop MALFORMED = new Stop();

    static final class Stop extends RuntimeException {
        private Stop() {
            super(null, null, false, false);
        }
    }

    final String s;
    final boolean ended;
    int pos;

    Cursor(String s, boolean ended) {
        this.s = s;
        this.ended = ended;
    }

    Stop more() {
        return ended ? MALFORMED : MORE;
    }

    boolean atEnd() {
        return pos >= s.length();
    }

    void skipWhitespace() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
    }

    /** Whether the literal is next, advancing past it when it is; waits when what has arrived could still be it. */
    boolean at(String literal) {
        int available = s.length() - pos;
        if (available >= literal.length()) {
            if (s.startsWith(literal, pos)) {
                pos += literal.length();
                return true;
            }
            return false;
        }
        if (literal.startsWith(s.substring(pos))) {
            throw more();
        }
        return false;
    }

    void expect(String literal) {
        if (!at(literal)) {
            throw MALFORMED;
        }
    }

    /** The text up to the literal, advancing past the literal. */
    String until(String literal) {
        int i = s.indexOf(literal, pos);
        if (i < 0) {
            throw more();
        }
        String text = s.substring(pos, i);
        pos = i + literal.length();
        return text;
    }

    /** The JSON value (object or array) that starts here, as its text. */
    String json() {
        int end = JsonText.end(s, pos);
        if (end == JsonText.INVALID) {
            throw MALFORMED;
        }
        if (end == JsonText.INCOMPLETE) {
            throw more();
        }
        String text = s.substring(pos, end);
        pos = end;
        return text;
    }
}
