package dev.anyclaude.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What template values are and how they print, compare and convert. A value is null (none), {@link Undefined}, a
 * Boolean, a Long, a Double, a String, a List, a Map with String keys, a {@link Namespace} or a {@link Callable}.
 */
final class Values {
    private Values() {}

    /** A function a template can call: a macro, a global such as range(), or a bound string method. */
    @FunctionalInterface
    interface Callable {
        @Nullable
        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    /** The mutable object namespace() returns, so loops can carry state out of their scope. */
    static final class Namespace {
        final Map<String, Object> attributes = new LinkedHashMap<>();
    }

    static boolean truthy(@Nullable Object v) {
        return switch (v) {
            case null -> false;
            case Undefined u -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> true;
        };
    }

    static boolean isNumber(@Nullable Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static double toDouble(@Nullable Object v) {
        return switch (v) {
            case Long l -> l;
            case Double d -> d;
            case Boolean b -> b ? 1 : 0;
            case null, default -> throw new TemplateException("not a number: " + typeName(v));
        };
    }

    static long toLong(@Nullable Object v) {
        return switch (v) {
            case Long l -> l;
            case Double d -> (long) d.doubleValue();
            case Boolean b -> b ? 1 : 0;
            case null, default -> throw new TemplateException("not a number: " + typeName(v));
        };
    }

    static String typeName(@Nullable Object v) {
        return switch (v) {
            case null -> "None";
            case Undefined u -> "Undefined";
            case Boolean b -> "Boolean";
            case Long l -> "Integer";
            case Double d -> "Float";
            case String s -> "String";
            case List<?> l -> "Array";
            case Map<?, ?> m -> "Object";
            default -> "Function";
        };
    }

    /** The text of a value as {@code {{ }}} writes it. */
    static String str(@Nullable Object v) {
        return switch (v) {
            case null -> "None";
            case Undefined u -> "";
            case Boolean b -> b ? "True" : "False";
            case Long l -> Long.toString(l);
            case Double d -> floatText(d);
            case String s -> s;
            case List<?> l -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < l.size(); i++) {
                    sb.append(i > 0 ? ", " : "").append(repr(l.get(i)));
                }
                yield sb.append("]").toString();
            }
            case Map<?, ?> m -> {
                StringBuilder sb = new StringBuilder("{");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(i++ > 0 ? ", " : "")
                            .append(repr(e.getKey()))
                            .append(": ")
                            .append(repr(e.getValue()));
                }
                yield sb.append("}").toString();
            }
            default -> "<function>";
        };
    }

    static String floatText(double d) {
        String out = String.format(java.util.Locale.ROOT, "%f", d);
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == '0') {
            end--;
        }
        out = out.substring(0, end);
        return out.endsWith(".") ? out + "0" : out;
    }

    static String repr(@Nullable Object v) {
        if (v instanceof String s) {
            return s.indexOf('\'') >= 0 ? JsonText.write(s, -1, ", ", ": ", false) : "'" + s + "'";
        }
        return str(v);
    }

    static boolean equal(@Nullable Object a, @Nullable Object b) {
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (a == null || b == null) {
            return a == b;
        }
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Boolean != b instanceof Boolean) {
                return false;
            }
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if (la.size() != lb.size()) {
                return false;
            }
            for (int i = 0; i < la.size(); i++) {
                if (!equal(la.get(i), lb.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            if (ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                if (!mb.containsKey(e.getKey()) || !equal(e.getValue(), mb.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    static int compare(@Nullable Object a, @Nullable Object b) {
        if (isNumber(a) && isNumber(b)) {
            return Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String sa && b instanceof String sb) {
            return sa.compareTo(sb);
        }
        throw new TemplateException("cannot compare " + typeName(a) + " with " + typeName(b));
    }

    static @Nullable Object fromJson(@Nullable JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(n -> list.add(fromJson(n)));
            return list;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        node.properties().forEach(e -> map.put(e.getKey(), fromJson(e.getValue())));
        return map;
    }
}
