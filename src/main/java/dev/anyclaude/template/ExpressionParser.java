package dev.anyclaude.template;

import dev.anyclaude.template.Node.*;
import dev.anyclaude.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The expression grammar of Jinja with its operator precedence, over a cursor of tokens. */
class ExpressionParser {
    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", ">", "<=", ">=");

    private final List<Token> tokens;
    int pos;

    ExpressionParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    Token peek() {
        return tokens.get(pos);
    }

    Token peek(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    Token next() {
        return tokens.get(pos++);
    }

    TemplateException error(String message) {
        return TemplateException.at(peek().line(), message);
    }

    Token expect(Kind kind, @Nullable String text) {
        Token t = next();
        if (t.kind() != kind || (text != null && !t.text().equals(text))) {
            pos--;
            throw error("expected " + (text != null ? "'" + text + "'" : kind) + ", found '" + t.text() + "'");
        }
        return t;
    }

    void symbol(String s) {
        expect(Kind.SYMBOL, s);
    }

    boolean acceptSymbol(String s) {
        if (peek().isSymbol(s)) {
            pos++;
            return true;
        }
        return false;
    }

    boolean acceptWord(String s) {
        if (peek().isWord(s)) {
            pos++;
            return true;
        }
        return false;
    }

    String identifier() {
        return expect(Kind.IDENTIFIER, null).text();
    }

    void closeStatement() {
        expect(Kind.CLOSE_STATEMENT, null);
    }

    Node expressionOrTuple() {
        Node first = expression();
        if (!peek().isSymbol(",")) {
            return first;
        }
        List<Node> items = new ArrayList<>(List.of(first));
        while (acceptSymbol(",")) {
            items.add(expression());
        }
        return new ListExpr(first.line(), items, true);
    }

    Node expression() {
        Node value = or();
        while (peek().isWord("if")) {
            int line = next().line();
            Node test = or();
            Node otherwise = acceptWord("else") ? or() : new Literal(line, Undefined.INSTANCE);
            value = new Ternary(line, test, value, otherwise);
        }
        return value;
    }

    /** An expression without a trailing inline if, as in a for loop's iterable and filter. */
    Node ternaryFree() {
        return or();
    }

    Node or() {
        Node left = and();
        while (peek().isWord("or")) {
            int line = next().line();
            left = new Binary(line, "or", left, and());
        }
        return left;
    }

    Node and() {
        Node left = not();
        while (peek().isWord("and")) {
            int line = next().line();
            left = new Binary(line, "and", left, not());
        }
        return left;
    }

    Node not() {
        if (peek().isWord("not")) {
            int line = next().line();
            return new Unary(line, "not", not());
        }
        return comparison();
    }

    Node comparison() {
        Node left = concat();
        while (true) {
            Token t = peek();
            if (t.kind() == Kind.SYMBOL && COMPARISONS.contains(t.text())) {
                pos++;
                left = new Binary(t.line(), t.text(), left, concat());
            } else if (t.isWord("in")) {
                pos++;
                left = new Binary(t.line(), "in", left, concat());
            } else if (t.isWord("not") && peek(1).isWord("in")) {
                pos += 2;
                left = new Binary(t.line(), "not in", left, concat());
            } else {
                return left;
            }
        }
    }

    Node concat() {
        Node left = additive();
        while (peek().isSymbol("~")) {
            int line = next().line();
            left = new Binary(line, "~", left, additive());
        }
        return left;
    }

    Node additive() {
        Node left = multiplicative();
        while (peek().isSymbol("+") || peek().isSymbol("-")) {
            Token op = next();
            left = new Binary(op.line(), op.text(), left, multiplicative());
        }
        return left;
    }

    Node multiplicative() {
        Node left = unary();
        while (peek().isSymbol("*") || peek().isSymbol("/") || peek().isSymbol("//") || peek().isSymbol("%")) {
            Token op = next();
            left = new Binary(op.line(), op.text(), left, unary());
        }
        return left;
    }

    Node unary() {
        if (peek().isSymbol("-") || peek().isSymbol("+")) {
            Token op = next();
            return new Unary(op.line(), op.text(), unary());
        }
        return filtersAndTests(primaryWithPostfix());
    }

    Node filtersAndTests(Node value) {
        while (true) {
            if (acceptSymbol("|")) {
                value = filterCall(value);
            } else if (peek().isWord("is")) {
                int line = next().line();
                boolean negated = acceptWord("not");
                String name = identifier();
                List<Node> args = new ArrayList<>();
                if (peek().isSymbol("(")) {
                    args.addAll(arguments(new ArrayList<>()));
                } else if (startsOperand(peek())) {
                    args.add(primaryWithPostfix());
                }
                value = new Test(line, value, name, args, negated);
            } else {
                return value;
            }
        }
    }

    private static boolean startsOperand(Token t) {
        return t.kind() == Kind.STRING
                || t.kind() == Kind.NUMBER
                || (t.kind() == Kind.IDENTIFIER
                        && !Set.of("and", "or", "not", "in", "is", "if", "else").contains(t.text()));
    }

    Node filterCall(Node value) {
        Token name = expect(Kind.IDENTIFIER, null);
        String full = name.text();
        while (acceptSymbol(".")) {
            full += "." + identifier();
        }
        List<String> names = new ArrayList<>();
        List<Node> args = peek().isSymbol("(") ? arguments(names) : List.of();
        return new Filter(name.line(), value, full, args, names);
    }

    /** Parses "(a, b, k=v)"; names gets one entry per argument, null for a positional one. */
    List<Node> arguments(List<String> names) {
        symbol("(");
        List<Node> args = new ArrayList<>();
        while (!acceptSymbol(")")) {
            if (peek().kind() == Kind.IDENTIFIER && peek(1).isSymbol("=")) {
                names.add(next().text());
                pos++;
            } else {
                names.add(null);
            }
            args.add(expression());
            if (!peek().isSymbol(")")) {
                symbol(",");
            }
        }
        return args;
    }

    Node primaryWithPostfix() {
        Node value = primary();
        while (true) {
            Token t = peek();
            if (t.isSymbol(".")) {
                pos++;
                value = new Member(t.line(), value, identifier());
            } else if (t.isSymbol("[")) {
                pos++;
                value = subscript(t.line(), value);
            } else if (t.isSymbol("(")) {
                List<String> names = new ArrayList<>();
                List<Node> args = arguments(names);
                value = new Call(t.line(), value, args, names);
            } else {
                return value;
            }
        }
    }

    Node subscript(int line, Node object) {
        Node start = null;
        if (!peek().isSymbol(":")) {
            start = expression();
            if (acceptSymbol("]")) {
                return new Index(line, object, start);
            }
        }
        symbol(":");
        Node stop = peek().isSymbol(":") || peek().isSymbol("]") ? null : expression();
        Node step = null;
        if (acceptSymbol(":")) {
            step = peek().isSymbol("]") ? null : expression();
        }
        symbol("]");
        return new Slice(line, object, start, stop, step);
    }

    Node primary() {
        Token t = next();
        int line = t.line();
        switch (t.kind()) {
            case STRING -> {
                StringBuilder s = new StringBuilder(t.text());
                while (peek().kind() == Kind.STRING) {
                    s.append(next().text());
                }
                return new Literal(line, s.toString());
            }
            case NUMBER -> {
                return new Literal(
                        line,
                        t.text().contains(".")
                                ? (Object) Double.parseDouble(t.text())
                                : (Object) Long.parseLong(t.text()));
            }
            case IDENTIFIER -> {
                return switch (t.text()) {
                    case "true", "True" -> new Literal(line, true);
                    case "false", "False" -> new Literal(line, false);
                    case "none", "None" -> new Literal(line, null);
                    default -> new Name(line, t.text());
                };
            }
            case SYMBOL -> {
                switch (t.text()) {
                    case "(" -> {
                        if (acceptSymbol(")")) {
                            return new ListExpr(line, List.of(), true);
                        }
                        Node first = expression();
                        if (acceptSymbol(")")) {
                            return first;
                        }
                        List<Node> items = new ArrayList<>(List.of(first));
                        while (acceptSymbol(",")) {
                            if (peek().isSymbol(")")) {
                                break;
                            }
                            items.add(expression());
                        }
                        symbol(")");
                        return new ListExpr(line, items, true);
                    }
                    case "[" -> {
                        List<Node> items = new ArrayList<>();
                        while (!acceptSymbol("]")) {
                            items.add(expression());
                            if (!peek().isSymbol("]")) {
                                symbol(",");
                            }
                        }
                        return new ListExpr(line, items, false);
                    }
                    case "{" -> {
                        List<Node> keys = new ArrayList<>();
                        List<Node> values = new ArrayList<>();
                        while (!acceptSymbol("}")) {
                            keys.add(expression());
                            symbol(":");
                            values.add(expression());
                            if (!peek().isSymbol("}")) {
                                symbol(",");
                            }
                        }
                        return new DictExpr(line, keys, values);
                    }
                    default -> {}
                }
            }
            default -> {}
        }
        pos--;
        throw error("unexpected '" + t.text() + "' in expression");
    }
}
