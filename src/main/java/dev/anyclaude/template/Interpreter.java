package dev.anyclaude.template;

import dev.anyclaude.template.Node.*;
import dev.anyclaude.template.Values.Callable;
import dev.anyclaude.template.Values.Namespace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Executes a parsed template against a scope of variables, writing its output. */
final class Interpreter {
    private static final class LoopSignal extends RuntimeException {
        final boolean isBreak;

        LoopSignal(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    /** Values the template read by name, attribute or index, by identity; null when nobody asks. */
    private final java.util.@Nullable Set<Object> read;

    private Interpreter(java.util.@Nullable Set<Object> read) {
        this.read = read;
    }

    static String render(List<Node> program, Scope globals) {
        return render(program, globals, null);
    }

    /** Renders and records in {@code read} every value the template looked up (to probe what it uses). */
    static String render(List<Node> program, Scope globals, java.util.@Nullable Set<Object> read) {
        StringBuilder out = new StringBuilder();
        new Interpreter(read).run(program, globals, out);
        return out.toString();
    }

    private @Nullable Object noted(@Nullable Object value) {
        if (read != null && value != null) {
            read.add(value);
        }
        return value;
    }

    /** Notes a value and everything inside it, as llama.cpp does for what tojson and string serialize. */
    private void notedDeep(@Nullable Object value) {
        if (read == null || value == null) {
            return;
        }
        read.add(value);
        if (value instanceof List<?> l) {
            l.forEach(this::notedDeep);
        } else if (value instanceof Map<?, ?> m) {
            m.values().forEach(this::notedDeep);
        }
    }

    private void run(List<Node> nodes, Scope scope, StringBuilder out) {
        for (Node node : nodes) {
            try {
                execute(node, scope, out);
            } catch (LoopSignal e) {
                throw e;
            } catch (TemplateException e) {
                throw e.locatedAt(node.line());
            } catch (RuntimeException e) {
                throw TemplateException.at(node.line(), e.toString());
            }
        }
    }

    private void execute(Node node, Scope scope, StringBuilder out) {
        switch (node) {
            case Text t -> out.append(t.text());
            case Output o -> out.append(Values.str(eval(o.expression(), scope)));
            case If i -> run(Values.truthy(eval(i.test(), scope)) ? i.then() : i.otherwise(), scope, out);
            case For f -> forLoop(f, scope, out);
            case Assign s -> assign(s, scope);
            case Macro m -> scope.set(m.name(), macro(m.params(), m.body(), scope));
            case CallBlock c -> {
                Callable caller = macro(c.callerParams(), c.body(), scope);
                if (!(c.call() instanceof Call call)) {
                    throw TemplateException.at(c.line(), "call block needs a macro call");
                }
                Arguments args = arguments(call.args(), call.names(), scope);
                args.named.put("caller", caller);
                if (!(eval(call.callee(), scope) instanceof Callable f)) {
                    throw TemplateException.at(c.line(), "not callable");
                }
                out.append(Values.str(f.call(args.positional, args.named)));
            }
            case FilterBlock fb -> {
                StringBuilder body = new StringBuilder();
                run(fb.body(), new Scope(scope), body);
                Scope inner = new Scope(scope);
                inner.set("__body__", body.toString());
                out.append(Values.str(eval(fb.filter(), inner)));
            }
            case LoopControl lc -> throw new LoopSignal(lc.isBreak());
            default -> throw TemplateException.at(node.line(), "not a statement");
        }
    }

    private void assign(Assign s, Scope scope) {
        Object value;
        if (s.value() != null) {
            value = eval(s.value(), scope);
        } else {
            StringBuilder body = new StringBuilder();
            run(s.body(), scope, body);
            value = body.toString();
        }
        assignTo(s.target(), value, scope);
    }

    private void assignTo(Node target, @Nullable Object value, Scope scope) {
        switch (target) {
            case Name n -> scope.set(n.name(), value);
            case Member m -> {
                Object object = eval(m.object(), scope);
                if (object instanceof Namespace ns) {
                    ns.attributes.put(m.name(), value);
                } else {
                    throw TemplateException.at(
                            target.line(), "cannot assign an attribute of " + Values.typeName(object));
                }
            }
            case ListExpr l -> {
                List<Object> items = Builtins.toList(value);
                if (items.size() != l.items().size()) {
                    throw TemplateException.at(
                            target.line(),
                            "cannot unpack " + items.size() + " values into "
                                    + l.items().size());
                }
                for (int i = 0; i < items.size(); i++) {
                    assignTo(l.items().get(i), items.get(i), scope);
                }
            }
            default -> throw TemplateException.at(target.line(), "cannot assign to this expression");
        }
    }

    private Callable macro(List<Param> params, List<Node> body, Scope definition) {
        return (args, kwargs) -> {
            Scope inner = new Scope(definition);
            for (int i = 0; i < params.size(); i++) {
                Param p = params.get(i);
                Object v;
                if (i < args.size()) {
                    v = args.get(i);
                } else if (kwargs.containsKey(p.name())) {
                    v = kwargs.get(p.name());
                } else if (p.defaultValue() != null) {
                    v = eval(p.defaultValue(), inner);
                } else {
                    v = Undefined.INSTANCE;
                }
                inner.set(p.name(), v);
            }
            if (kwargs.containsKey("caller")) {
                inner.set("caller", kwargs.get("caller"));
            }
            StringBuilder out = new StringBuilder();
            run(body, inner, out);
            return out.toString();
        };
    }

    private void forLoop(For f, Scope scope, StringBuilder out) {
        Object iterable = noted(eval(f.iterable(), scope));
        List<Object> items = new ArrayList<>();
        for (Object item : iterationOf(iterable, f.line())) {
            if (f.filter() != null) {
                Scope test = new Scope(scope);
                bindTargets(f, item, test);
                if (!Values.truthy(eval(f.filter(), test))) {
                    continue;
                }
            }
            items.add(item);
        }
        if (items.isEmpty()) {
            run(f.otherwise(), scope, out);
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            Scope inner = new Scope(scope);
            bindTargets(f, items.get(i), inner);
            Map<String, Object> loop = new LinkedHashMap<>();
            int n = items.size();
            loop.put("index", (long) i + 1);
            loop.put("index0", (long) i);
            loop.put("revindex", (long) (n - i));
            loop.put("revindex0", (long) (n - i - 1));
            loop.put("first", i == 0);
            loop.put("last", i == n - 1);
            loop.put("length", (long) n);
            loop.put("previtem", i > 0 ? items.get(i - 1) : Undefined.INSTANCE);
            loop.put("nextitem", i < n - 1 ? items.get(i + 1) : Undefined.INSTANCE);
            inner.set("loop", loop);
            try {
                run(f.body(), inner, out);
            } catch (LoopSignal signal) {
                if (signal.isBreak) {
                    break;
                }
            }
        }
    }

    private static List<Object> iterationOf(@Nullable Object iterable, int line) {
        return switch (iterable) {
            case List<?> l -> new ArrayList<>(l);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case String s -> Builtins.toList(s);
            case Undefined u -> List.of();
            case null -> List.of();
            default -> throw TemplateException.at(line, "cannot iterate over " + Values.typeName(iterable));
        };
    }

    private void bindTargets(For f, @Nullable Object item, Scope scope) {
        if (f.targets().size() == 1) {
            scope.set(f.targets().getFirst(), item);
            return;
        }
        List<Object> parts = Builtins.toList(item);
        for (int i = 0; i < f.targets().size(); i++) {
            scope.set(f.targets().get(i), i < parts.size() ? parts.get(i) : Undefined.INSTANCE);
        }
    }

    @Nullable
    Object eval(Node node, Scope scope) {
        return switch (node) {
            case Literal l -> l.value();
            case Name n -> noted(scope.get(n.name()));
            case ListExpr l -> {
                List<Object> items = new ArrayList<>();
                for (Node item : l.items()) {
                    items.add(eval(item, scope));
                }
                yield items;
            }
            case DictExpr d -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    Object key = eval(d.keys().get(i), scope);
                    map.put(
                            key instanceof Long || key instanceof String ? key : Values.str(key),
                            eval(d.values().get(i), scope));
                }
                yield map;
            }
            case Member m -> noted(Builtins.attribute(eval(m.object(), scope), m.name()));
            case Index i -> noted(Builtins.index(eval(i.object(), scope), eval(i.index(), scope)));
            case Slice s ->
                Builtins.slice(
                        eval(s.object(), scope),
                        optional(s.start(), scope),
                        optional(s.stop(), scope),
                        optional(s.step(), scope));
            case Call c -> call(c, scope);
            case Filter f -> {
                Object value = noted(eval(f.value(), scope));
                if (f.name().equals("tojson") || f.name().equals("string")) {
                    notedDeep(value);
                }
                Arguments args = arguments(f.args(), f.names(), scope);
                yield Builtins.filter(f.name(), value, args.positional, args.named);
            }
            case Test t -> {
                List<Object> args = new ArrayList<>();
                for (Node a : t.args()) {
                    args.add(eval(a, scope));
                }
                boolean result = Builtins.test(t.name(), noted(eval(t.value(), scope)), args);
                yield result != t.negated();
            }
            case Unary u ->
                switch (u.op()) {
                    case "not" -> !Values.truthy(eval(u.operand(), scope));
                    case "-" -> {
                        Object v = eval(u.operand(), scope);
                        yield v instanceof Double d ? (Object) (-d) : (Object) (-Values.toLong(v));
                    }
                    default -> eval(u.operand(), scope);
                };
            case Binary b -> binary(b, scope);
            case Ternary t -> Values.truthy(eval(t.test(), scope)) ? eval(t.then(), scope) : eval(t.otherwise(), scope);
            default -> throw TemplateException.at(node.line(), "not an expression");
        };
    }

    private @Nullable Object optional(@Nullable Node node, Scope scope) {
        return node == null ? null : eval(node, scope);
    }

    private record Arguments(List<Object> positional, Map<String, Object> named) {}

    private Arguments arguments(List<Node> args, List<String> names, Scope scope) {
        List<Object> positional = new ArrayList<>();
        Map<String, Object> named = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            Object v = eval(args.get(i), scope);
            String name = i < names.size() ? names.get(i) : null;
            if (name == null) {
                positional.add(v);
            } else {
                named.put(name, v);
            }
        }
        return new Arguments(positional, named);
    }

    private @Nullable Object call(Call c, Scope scope) {
        Arguments args = arguments(c.args(), c.names(), scope);
        if (c.callee() instanceof Member m) {
            Object object = noted(eval(m.object(), scope));
            Callable method = Builtins.method(object, m.name());
            if (method != null) {
                return method.call(args.positional, args.named);
            }
        }
        Object callee = eval(c.callee(), scope);
        if (callee instanceof Callable f) {
            return f.call(args.positional, args.named);
        }
        throw TemplateException.at(c.line(), "not callable: " + Values.typeName(callee));
    }

    private @Nullable Object binary(Binary b, Scope scope) {
        switch (b.op()) {
            case "and" -> {
                Object left = eval(b.left(), scope);
                return Values.truthy(left) ? eval(b.right(), scope) : left;
            }
            case "or" -> {
                Object left = eval(b.left(), scope);
                return Values.truthy(left) ? left : eval(b.right(), scope);
            }
            default -> {}
        }
        Object l = eval(b.left(), scope);
        Object r = eval(b.right(), scope);
        switch (b.op()) {
            case "==" -> {
                return Values.equal(l, r);
            }
            case "!=" -> {
                return !Values.equal(l, r);
            }
            default -> {}
        }
        boolean membership = b.op().equals("in") || b.op().equals("not in");
        boolean concatenation = b.op().equals("+") || b.op().equals("~");
        if (l instanceof Undefined || r instanceof Undefined) {
            if (r instanceof Undefined && membership) {
                return b.op().equals("not in");
            }
            if (concatenation && (l instanceof String || r instanceof String)) {
                return (l instanceof String ? l : "") + (r instanceof String ? (String) r : "");
            }
            throw TemplateException.at(b.line(), "Cannot perform operation " + b.op() + " on undefined values");
        }
        if (l == null || r == null) {
            if (r != null && membership) {
                return Builtins.contains(r, null) == b.op().equals("in");
            }
            if (concatenation && (l instanceof String || r instanceof String)) {
                return (l instanceof String ? l : "") + (r instanceof String ? (String) r : "");
            }
            throw TemplateException.at(b.line(), "Cannot perform operation on null values");
        }
        return switch (b.op()) {
            case "<" -> Values.compare(l, r) < 0;
            case ">" -> Values.compare(l, r) > 0;
            case "<=" -> Values.compare(l, r) <= 0;
            case ">=" -> Values.compare(l, r) >= 0;
            case "in" -> Builtins.contains(r, l);
            case "not in" -> !Builtins.contains(r, l);
            case "~" -> (l == null ? "" : Values.str(l)) + (r == null ? "" : Values.str(r));
            case "+" -> plus(l, r, b.line());
            default -> arithmetic(b.op(), l, r, b.line());
        };
    }

    private static @Nullable Object plus(@Nullable Object l, @Nullable Object r, int line) {
        if (l instanceof String || r instanceof String) {
            return (l == null ? "" : Values.str(l)) + (r == null ? "" : Values.str(r));
        }
        if (l instanceof List<?> ll && r instanceof List<?> rl) {
            List<Object> out = new ArrayList<>(ll);
            out.addAll(rl);
            return out;
        }
        return arithmetic("+", l, r, line);
    }

    private static @Nullable Object arithmetic(String op, @Nullable Object l, @Nullable Object r, int line) {
        if (!Values.isNumber(l) || !Values.isNumber(r)) {
            if (op.equals("*") && l instanceof String s && r instanceof Long n) {
                return s.repeat((int) Math.max(0, n));
            }
            throw TemplateException.at(
                    line, "cannot apply " + op + " to " + Values.typeName(l) + " and " + Values.typeName(r));
        }
        boolean integral = !(l instanceof Double) && !(r instanceof Double);
        if (integral && !op.equals("/")) {
            long a = Values.toLong(l);
            long c = Values.toLong(r);
            return switch (op) {
                case "+" -> a + c;
                case "-" -> a - c;
                case "*" -> a * c;
                case "//" -> Math.floorDiv(a, c);
                case "%" -> Math.floorMod(a, c);
                default -> throw TemplateException.at(line, "unknown operator " + op);
            };
        }
        double a = Values.toDouble(l);
        double c = Values.toDouble(r);
        return switch (op) {
            case "+" -> a + c;
            case "-" -> a - c;
            case "*" -> a * c;
            case "/" -> a / c;
            case "//" -> Math.floor(a / c);
            case "%" -> a - c * Math.floor(a / c);
            default -> throw TemplateException.at(line, "unknown operator " + op);
        };
    }
}
