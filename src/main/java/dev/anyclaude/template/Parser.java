package dev.anyclaude.template;

import dev.anyclaude.template.Node.*;
import dev.anyclaude.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A recursive-descent parser of the Jinja statements chat templates use; expressions are the superclass's. */
final class Parser extends ExpressionParser {
    private Parser(List<Token> tokens) {
        super(tokens);
    }

    static List<Node> parse(String source) {
        Parser p = new Parser(Lexer.tokenize(source));
        List<Node> body = p.block(Set.of());
        if (p.peek().kind() != Kind.EOF) {
            throw p.error("unexpected tag '" + p.peek(1).text() + "'");
        }
        return body;
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
            return new Assign(line, target, value, List.of());
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
}
