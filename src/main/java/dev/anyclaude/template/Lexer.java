package dev.anyclaude.template;

import dev.anyclaude.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into tokens the way llama.cpp's Jinja lexer does, with {@code trim_blocks} and
 * {@code lstrip_blocks} on: a tag's newline and indentation are removed as Hugging Face's renderer removes them.
 */
final class Lexer {
    private static final String[] SYMBOLS = {
        "{%-", "-%}", "{{-", "-}}", "{%", "%}", "{{", "}}", "//", "**", "<=", ">=", "==", "!=", "(", ")", "{", "}", "[",
        "]", ",", ".", ":", "|", "<", ">", "+", "-", "~", "*", "/", "%", "="
    };

    private final String src;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int curlyDepth;

    private Lexer(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        this.src = s;
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(source);
        lexer.run();
        lexer.tokens.add(new Token(Kind.EOF, "", lexer.line(lexer.src.length())));
        return lexer.tokens;
    }

    private int lineScanned;
    private int lineAtScanned = 1;

    private int line(int at) {
        if (at < lineScanned) {
            lineScanned = 0;
            lineAtScanned = 1;
        }
        for (; lineScanned < at && lineScanned < src.length(); lineScanned++) {
            if (src.charAt(lineScanned) == '\n') {
                lineAtScanned++;
            }
        }
        return lineAtScanned;
    }

    private char at(int i) {
        return i < src.length() ? src.charAt(i) : '\0';
    }

    private boolean tagStartAt(int i) {
        return at(i) == '{' && (at(i + 1) == '%' || at(i + 1) == '{' || at(i + 1) == '#');
    }

    private void run() {
        while (pos < src.length()) {
            Kind last =
                    tokens.isEmpty() ? Kind.CLOSE_STATEMENT : tokens.getLast().kind();
            if (last == Kind.CLOSE_STATEMENT || last == Kind.CLOSE_EXPRESSION || last == Kind.COMMENT) {
                if (readText()) {
                    continue;
                }
            }
            if (at(pos) == '{' && at(pos + 1) == '#') {
                readComment();
                continue;
            }
            while (pos < src.length() && Character.isWhitespace(at(pos))) {
                pos++;
            }
            if (pos >= src.length()) {
                break;
            }
            readExpressionToken();
        }
    }

    /** Reads text up to the next tag, applying the whitespace rules; false when nothing is left of it. */
    private boolean readText() {
        boolean rstripLast = false;
        boolean trimNewline = false;
        if (pos > 3) {
            char c0 = at(pos - 3);
            char c1 = at(pos - 2);
            char c2 = at(pos - 1);
            rstripLast = c0 == '-' && (c1 == '%' || c1 == '}' || c1 == '#') && c2 == '}';
            trimNewline = (c1 == '#' || c1 == '%' || c1 == '-') && c2 == '}';
        }
        int start = pos;
        int textStart = pos;
        while (pos < src.length() && !tagStartAt(pos)) {
            pos++;
        }
        int end = pos;
        if (at(pos) == '{' && (at(pos + 1) == '%' || at(pos + 1) == '#' || at(pos + 1) == '-')) {
            int current = end;
            while (current > start) {
                char c = at(current - 1);
                if (current == 1) {
                    end = 0;
                    break;
                }
                if (c == '\n') {
                    end = current;
                    break;
                }
                if (!Character.isWhitespace(c)) {
                    break;
                }
                current--;
            }
        }
        String text = src.substring(start, Math.max(start, end));
        if (trimNewline && text.startsWith("\n")) {
            text = text.substring(1);
        }
        if (rstripLast) {
            text = stripLeading(text);
        }
        boolean lstripCurrent = tagStartAt(pos) && at(pos + 2) == '-';
        if (lstripCurrent) {
            text = stripTrailing(text);
        }
        if (!text.isEmpty()) {
            tokens.add(new Token(Kind.TEXT, text, line(textStart)));
            return true;
        }
        return false;
    }

    private static boolean blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && blank(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    private static String stripTrailing(String s) {
        int i = s.length();
        while (i > 0 && blank(s.charAt(i - 1))) {
            i--;
        }
        return s.substring(0, i);
    }

    private void readComment() {
        int start = pos;
        pos += 2;
        int close = src.indexOf("#}", pos);
        if (close < 0) {
            throw TemplateException.at(line(start), "missing end of comment tag");
        }
        tokens.add(new Token(Kind.COMMENT, src.substring(pos, close), line(start)));
        pos = close + 2;
    }

    private void readExpressionToken() {
        int start = pos;
        char ch = at(pos);
        for (String symbol : SYMBOLS) {
            if (symbol.equals("}}") && curlyDepth > 0) {
                continue;
            }
            if (src.startsWith(symbol, pos)) {
                pos += symbol.length();
                Kind kind = switch (symbol) {
                    case "{%-", "{%" -> Kind.OPEN_STATEMENT;
                    case "-%}", "%}" -> Kind.CLOSE_STATEMENT;
                    case "{{-", "{{" -> Kind.OPEN_EXPRESSION;
                    case "-}}", "}}" -> Kind.CLOSE_EXPRESSION;
                    default -> Kind.SYMBOL;
                };
                if (kind == Kind.OPEN_EXPRESSION) {
                    curlyDepth = 0;
                } else if (symbol.equals("{")) {
                    curlyDepth++;
                } else if (symbol.equals("}")) {
                    curlyDepth--;
                }
                tokens.add(new Token(kind, symbol, line(start)));
                return;
            }
        }
        if (ch == '\'' || ch == '"') {
            pos++;
            StringBuilder s = new StringBuilder();
            while (pos < src.length() && at(pos) != ch) {
                char c = at(pos++);
                if (c == '\\') {
                    char e = at(pos++);
                    s.append(
                            switch (e) {
                                case 'n' -> '\n';
                                case 't' -> '\t';
                                case 'r' -> '\r';
                                case 'b' -> '\b';
                                case 'f' -> '\f';
                                case 'v' -> '\u000b';
                                case '\'', '"', '\\' -> e;
                                default -> throw TemplateException.at(line(pos), "unknown escape character \\" + e);
                            });
                } else {
                    s.append(c);
                }
            }
            pos++;
            tokens.add(new Token(Kind.STRING, s.toString(), line(start)));
            return;
        }
        if (Character.isDigit(ch)) {
            while (Character.isDigit(at(pos))) {
                pos++;
            }
            if (at(pos) == '.' && Character.isDigit(at(pos + 1))) {
                pos++;
                while (Character.isDigit(at(pos))) {
                    pos++;
                }
            }
            tokens.add(new Token(Kind.NUMBER, src.substring(start, pos), line(start)));
            return;
        }
        if (Character.isLetterOrDigit(ch) || ch == '_') {
            while (Character.isLetterOrDigit(at(pos)) || at(pos) == '_') {
                pos++;
            }
            tokens.add(new Token(Kind.IDENTIFIER, src.substring(start, pos), line(start)));
            return;
        }
        throw TemplateException.at(line(start), "unexpected character: " + ch);
    }
}
