package dev.anyclaude.template;

/** One lexical unit of a template: literal text, a tag delimiter, or a piece of an expression. */
record Token(Kind kind, String text, int line) {
    enum Kind {
        TEXT,
        OPEN_STATEMENT,
        CLOSE_STATEMENT,
        OPEN_EXPRESSION,
        CLOSE_EXPRESSION,
        COMMENT,
        IDENTIFIER,
        STRING,
        NUMBER,
        SYMBOL,
        EOF
    }

    boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    boolean isSymbol(String t) {
        return is(Kind.SYMBOL, t);
    }

    boolean isWord(String t) {
        return is(Kind.IDENTIFIER, t);
    }
}
