package dev.anyclaude.template;

import dev.anyclaude.template.Node.*;
import dev.anyclaude.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A recursive-descent parser of the Jinja subset chat templates use, with Jinja's operator precedence. */
final class Parser {
    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", ">", "<=", ">=");

    private final List<Token> tokens;
    private int pos;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Node> parse(String source) {
        Parser p = new Parser(Lexer.tokenize(source));
        List<Node> body = p.block(Set.of());
        if (p.peek().kind() != Kind.EOF) {
            throw p.error("unexpected tag '" + p.peek(1).text() + "'");
        }
        return body;
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private Token next() {
        return tokens.get(pos++);
    }

    private TemplateException error(String message) {
        return TemplateException.at(peek().line(), message);
    }

    private Token expect(Kind kind, String text) {
        Token t = next();
        if (t.kind() != kind || (text != null && !t.text().equals(text))) {
            pos--;
            throw error("expected " + (text != null ? "'" + text + "'" : kind) + ", found '" + t.text() + "'");
        }
        return t;
    }

    private void symbol(String s) {
        expect(Kind.SYMBOL, s);
    }

    private boolean acceptSymbol(String s) {
        if (peek().isSymbol(s)) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean acceptWord(String s) {
        if (peek().isWord(s)) {
            pos++;
            return true;
        }
        return false;
    }

    private String identifier() {
        return expect(Kind.IDENTIFIER, null).text();
    }

    private void closeStatement() {
        expect(Kind.CLOSE_STATEMENT, null);
    }

    /** Parses nodes until a statement tag whose keyword is one of {@code ends} (left unconsumed). */
    private List<Node> block(Set<String> ends) {
        List<Node> nodes = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.kind()) {
                case EOF -> {
                    if (!ends.isEmpty()) {
                        throw error("unexpected end of template, expected one of " + ends);
                    }
                    return nodes;
                }
                case TEXT -> {
                    pos++;
                    nodes.add(new Text(t.line(), t.text()));
                }
                case COMMENT -> pos++;
                case OPEN_EXPRESSION -> {
                    pos++;
                    nodes.add(new Output(t.line(), expression()));
                    expect(Kind.CLOSE_EXPRESSION, null);
                }
                case OPEN_STATEMENT -> {
                    String keyword = peek(1).text();
                    if (ends.contains(keyword)) {
                        return nodes;
                    }
                    pos++;
                    nodes.add(statement());
                }
                default -> throw error("unexpected '" + t.text() + "'");
            }
        }
    }

    private void endTag(String keyword) {
        expect(Kind.OPEN_STATEMENT, null);
        expect(Kind.IDENTIFIER, keyword);
        closeStatement();
    }

    private Node statement() {
        Token t = peek();
        String keyword = identifier();
        int line = t.line();
        switch (keyword) {
            case "if" -> {
                return ifRest(line);
            }
            case "for" -> {
                return forRest(line);
            }
            case "set" -> {
                return setRest(line);
            }
            case "macro" -> {
                String name = identifier();
                List<Param> params = params();
                closeStatement();
                List<Node> body = block(Set.of("endmacro"));
                endTag("endmacro");
                return new Macro(line, name, params, body);
            }
            case "call" -> {
                List<Param> callerParams = peek().isSymbol("(") ? params() : List.of();
                Node call = expression();
                closeStatement();
                List<Node> body = block(Set.of("endcall"));
                endTag("endcall");
                return new CallBlock(line, call, callerParams, body);
            }
            case "filter" -> {
                Node filter = filterCall(new Name(line, "__body__"));
                closeStatement();
                List<Node> body = block(Set.of("endfilter"));
                endTag("endfilter");
                return new FilterBlock(line, filter, body);
            }
            case "generation" -> {
                closeStatement();
                List<Node> body = block(Set.of("endgeneration"));
                endTag("endgeneration");
                return new If(line, new Literal(line, true), body, List.of());
            }
            case "break", "continue" -> {
                closeStatement();
                return new LoopControl(line, keyword.equals("break"));
            }
            default -> throw TemplateException.at(line, "unknown statement '" + keyword + "'");
        }
    }

    private Node ifRest(int line) {
        Node test = expression();
        closeStatement();
        List<Node> then = block(Set.of("elif", "else", "endif"));
        expect(Kind.OPEN_STATEMENT, null);
        Token kw = next();
        List<Node> otherwise;
        switch (kw.text()) {
            case "elif" -> otherwise = List.of(ifRest(kw.line()));
            case "else" -> {
                closeStatement();
                otherwise = block(Set.of("endif"));
                endTag("endif");
            }
            default -> {
                closeStatement();
                otherwise = List.of();
            }
        }
        return new If(line, test, then, otherwise);
    }

    private Node forRest(int line) {
        List<String> targets = new ArrayList<>();
        boolean paren = acceptSymbol("(");
        do {
            targets.add(identifier());
        } while (acceptSymbol(","));
        if (paren) {
            symbol(")");
        }
        expect(Kind.IDENTIFIER, "in");
        Node iterable = ternaryFree();
        Node filter = acceptWord("if") ? ternaryFree() : null;
        boolean recursive = acceptWord("recursive");
        closeStatement();
        List<Node> body = block(Set.of("else", "endfor"));
        List<Node> otherwise = List.of();
        if (peek(1).isWord("else")) {
            pos += 2;
            closeStatement();
            otherwise = block(Set.of("endfor"));
        }
        endTag("endfor");
        return new For(line, targets, iterable, filter, body, otherwise, recursive);
    }

    private Node setRest(int line) {
        Node target = primaryWithPostfix();
        if (peek().isSymbol(",")) {
            List<Node> names = new ArrayList<>(List.of(target));
            while (acceptSymbol(",")) {
                names.add(primaryWithPostfix());
            }
            target = new ListExpr(line, names, true);
        }
        if (acceptSymbol("=")) {
            Node value = expressionOrTuple();
            closeStatement();
            return new Assign(line, target, value, null);
        }
        Node filter = null;
        if (acceptSymbol("|")) {
            filter = filterCall(new Name(line, "__body__"));
        }
        closeStatement();
        List<Node> body = block(Set.of("endset"));
        endTag("endset");
        if (filter != null) {
            body = List.of(new FilterBlock(line, filter, body));
        }
        return new Assign(line, target, null, body);
    }

    private List<Param> params() {
        symbol("(");
        List<Param> params = new ArrayList<>();
        while (!acceptSymbol(")")) {
            String name = identifier();
            Node def = acceptSymbol("=") ? expression() : null;
            params.add(new Param(name, def));
            if (!peek().isSymbol(")")) {
                symbol(",");
            }
        }
        return params;
    }

    private Node expressionOrTuple() {
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
    private Node ternaryFree() {
        return or();
    }

    private Node or() {
        Node left = and();
        while (peek().isWord("or")) {
            int line = next().line();
            left = new Binary(line, "or", left, and());
        }
        return left;
    }

    private Node and() {
        Node left = not();
        while (peek().isWord("and")) {
            int line = next().line();
            left = new Binary(line, "and", left, not());
        }
        return left;
    }

    private Node not() {
        if (peek().isWord("not")) {
            int line = next().line();
            return new Unary(line, "not", not());
        }
        return comparison();
    }

    private Node comparison() {
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

    private Node concat() {
        Node left = additive();
        while (peek().isSymbol("~")) {
            int line = next().line();
            left = new Binary(line, "~", left, additive());
        }
        return left;
    }

    private Node additive() {
        Node left = multiplicative();
        while (peek().isSymbol("+") || peek().isSymbol("-")) {
            Token op = next();
            left = new Binary(op.line(), op.text(), left, multiplicative());
        }
        return left;
    }

    private Node multiplicative() {
        Node left = unary();
        while (peek().isSymbol("*") || peek().isSymbol("/") || peek().isSymbol("//") || peek().isSymbol("%")) {
            Token op = next();
            left = new Binary(op.line(), op.text(), left, unary());
        }
        return left;
    }

    private Node unary() {
        if (peek().isSymbol("-") || peek().isSymbol("+")) {
            Token op = next();
            return new Unary(op.line(), op.text(), unary());
        }
        return filtersAndTests(primaryWithPostfix());
    }

    private Node filtersAndTests(Node value) {
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
        return t.kind() == Kind.STRING || t.kind() == Kind.NUMBER
                || (t.kind() == Kind.IDENTIFIER && !Set.of("and", "or", "not", "in", "is", "if", "else").contains(t.text()));
    }

    private Node filterCall(Node value) {
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
    private List<Node> arguments(List<String> names) {
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

    private Node primaryWithPostfix() {
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

    private Node subscript(int line, Node object) {
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

    private Node primary() {
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
                return new Literal(line, t.text().contains(".") ? (Object) Double.parseDouble(t.text())
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
                    default -> {
                    }
                }
            }
            default -> {
            }
        }
        pos--;
        throw error("unexpected '" + t.text() + "' in expression");
    }
}
