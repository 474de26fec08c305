package dev.anyclaude.template;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The filters of {@code value | name(args)}, as llama.cpp's engine defines them. */
final class Filters {
    private Filters() {}

    static @Nullable Object apply(String name, @Nullable Object v, List<Object> args, Map<String, Object> kw) {
        return switch (name) {
            case "tojson" -> tojson(v, args, kw);
            case "safe" -> v;
            case "string" -> v instanceof String ? v : Values.str(v);
            case "length", "count" -> length(v);
            case "trim" -> v instanceof String s ? StringMethods.strip(s, arg(args, kw, 0, "chars"), true, true) : v;
            case "upper" -> Values.str(v).toUpperCase();
            case "lower" -> Values.str(v).toLowerCase();
            case "title" -> StringMethods.title(Values.str(v));
            case "capitalize" -> StringMethods.capitalize(Values.str(v));
            case "default", "d" -> defaulted(v, args, kw);
            case "list" -> Builtins.toList(v);
            case "first" -> first(v);
            case "last" -> {
                List<Object> l = Builtins.toList(v);
                yield l.isEmpty() ? Undefined.INSTANCE : l.getLast();
            }
            case "join" -> join(v, args, kw);
            case "replace" ->
                StringMethods.replace(
                        Values.str(v),
                        Values.str(args.get(0)),
                        Values.str(args.get(1)),
                        args.size() > 2 ? Values.toLong(args.get(2)) : -1);
            case "items" -> v instanceof Map<?, ?> m ? Builtins.items(m) : new ArrayList<>();
            case "dictsort" -> dictsort(v);
            case "selectattr", "rejectattr" -> selectAttribute(v, args, name.equals("selectattr"));
            case "select", "reject" -> select(v, args, name.equals("select"));
            case "map" -> map(v, args, kw);
            case "int" -> toInt(v);
            case "float" -> v instanceof String s ? parseDouble(s) : Values.toDouble(v);
            case "abs" -> v instanceof Double d ? (Object) Math.abs(d) : (Object) Math.abs(Values.toLong(v));
            case "round" -> Math.round(Values.toDouble(v) * 1.0) * 1.0;
            case "indent" -> indent(Values.str(v), args, kw);
            case "unique" -> new ArrayList<>(new LinkedHashSet<>(Builtins.toList(v)));
            case "sort" -> {
                List<Object> l = Builtins.toList(v);
                l.sort(Values::compare);
                yield l;
            }
            case "min" -> Builtins.toList(v).stream().min(Values::compare).orElse(Undefined.INSTANCE);
            case "max" -> Builtins.toList(v).stream().max(Values::compare).orElse(Undefined.INSTANCE);
            case "reverse" -> {
                if (v instanceof String s) {
                    yield new StringBuilder(s).reverse().toString();
                }
                List<Object> l = Builtins.toList(v);
                java.util.Collections.reverse(l);
                yield l;
            }
            case "from_json" -> Values.fromJson(parseJson(Values.str(v)));
            default -> throw new TemplateException("unknown filter: " + name);
        };
    }

    private static @Nullable Object arg(List<Object> args, Map<String, Object> kw, int position, String name) {
        if (kw.containsKey(name)) {
            return kw.get(name);
        }
        return position < args.size() ? args.get(position) : Undefined.INSTANCE;
    }

    private static String tojson(@Nullable Object v, List<Object> args, Map<String, Object> kw) {
        Object indentArg = arg(args, kw, 1, "indent");
        int indent = indentArg instanceof Long l ? l.intValue() : -1;
        boolean ascii = Values.truthy(arg(args, kw, 0, "ensure_ascii"));
        Object separators = arg(args, kw, 2, "separators");
        List<Object> seps = separators instanceof List<?> l ? new ArrayList<>(l) : List.of();
        String itemSep = !seps.isEmpty() ? Values.str(seps.get(0)) : indent < 0 ? ", " : ",";
        String keySep = seps.size() > 1 ? Values.str(seps.get(1)) : ": ";
        if (Values.truthy(arg(args, kw, 3, "sort_keys"))) {
            throw new TemplateException("tojson sort_keys=true not implemented");
        }
        return JsonText.write(v, indent, itemSep, keySep, ascii);
    }

    private static Object length(@Nullable Object v) {
        return switch (v) {
            case String s -> (long) s.codePointCount(0, s.length());
            case List<?> l -> (long) l.size();
            case Map<?, ?> m -> (long) m.size();
            case Undefined u -> 0L;
            case null, default -> throw new TemplateException("length of " + Values.typeName(v));
        };
    }

    private static @Nullable Object defaulted(@Nullable Object v, List<Object> args, Map<String, Object> kw) {
        Object fallback = args.isEmpty() ? "" : args.getFirst();
        boolean ifFalsy = Values.truthy(arg(args, kw, 1, "boolean"));
        if (v instanceof Undefined || (ifFalsy && !Values.truthy(v))) {
            return fallback;
        }
        return v;
    }

    private static @Nullable Object first(@Nullable Object v) {
        List<Object> l = Builtins.toList(v);
        return l.isEmpty() ? Undefined.INSTANCE : l.getFirst();
    }

    private static Object join(@Nullable Object v, List<Object> args, Map<String, Object> kw) {
        Object sep = arg(args, kw, 0, "d");
        String s = sep instanceof Undefined ? "" : Values.str(sep);
        Object attribute = arg(args, kw, 1, "attribute");
        List<String> parts = new ArrayList<>();
        for (Object item : Builtins.toList(v)) {
            parts.add(Values.str(
                    attribute instanceof Undefined ? item : Builtins.attribute(item, Values.str(attribute))));
        }
        return String.join(s, parts);
    }

    private static Object dictsort(@Nullable Object v) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new TemplateException("dictsort expects a mapping");
        }
        List<Object> items = Builtins.items(m);
        items.sort((a, b) -> Values.compare(((List<?>) a).getFirst(), ((List<?>) b).getFirst()));
        return items;
    }

    private static Object selectAttribute(@Nullable Object v, List<Object> args, boolean keep) {
        String attribute = Values.str(args.getFirst());
        List<Object> out = new ArrayList<>();
        for (Object item : Builtins.toList(v)) {
            Object value = Builtins.attribute(item, attribute);
            boolean pass = args.size() > 1
                    ? Builtins.test(Values.str(args.get(1)), value, args.subList(2, args.size()))
                    : Values.truthy(value);
            if (pass == keep) {
                out.add(item);
            }
        }
        return out;
    }

    private static Object select(@Nullable Object v, List<Object> args, boolean keep) {
        List<Object> out = new ArrayList<>();
        for (Object item : Builtins.toList(v)) {
            boolean pass = args.isEmpty()
                    ? Values.truthy(item)
                    : Builtins.test(Values.str(args.getFirst()), item, args.subList(1, args.size()));
            if (pass == keep) {
                out.add(item);
            }
        }
        return out;
    }

    private static Object map(@Nullable Object v, List<Object> args, Map<String, Object> kw) {
        List<Object> out = new ArrayList<>();
        for (Object item : Builtins.toList(v)) {
            if (kw.containsKey("attribute")) {
                Object value = Builtins.attribute(item, Values.str(kw.get("attribute")));
                out.add(value instanceof Undefined && kw.containsKey("default") ? kw.get("default") : value);
            } else {
                out.add(apply(Values.str(args.getFirst()), item, args.subList(1, args.size()), Map.of()));
            }
        }
        return out;
    }

    private static Object toInt(@Nullable Object v) {
        return switch (v) {
            case String s -> {
                try {
                    yield Long.parseLong(s.strip());
                } catch (NumberFormatException e) {
                    yield 0L;
                }
            }
            case Long l -> l;
            case Double d -> (long) d.doubleValue();
            case Boolean b -> b ? 1L : 0L;
            case null -> throw new TemplateException("int of None");
            default -> 0L;
        };
    }

    private static double parseDouble(String s) {
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return 0.0;
        }
    }

    private static String indent(String s, List<Object> args, Map<String, Object> kw) {
        Object width = arg(args, kw, 0, "width");
        String pad = width instanceof String w ? w : " ".repeat(width instanceof Long l ? l.intValue() : 4);
        boolean first = Values.truthy(arg(args, kw, 1, "first"));
        boolean blank = Values.truthy(arg(args, kw, 2, "blank"));
        String[] lines = s.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                out.append('\n');
            }
            boolean indentIt = (i > 0 || first) && (blank || !lines[i].isBlank());
            out.append(indentIt ? pad : "").append(lines[i]);
        }
        return out.toString();
    }

    private static com.fasterxml.jackson.databind.JsonNode parseJson(String s) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readTree(s);
        } catch (java.io.IOException e) {
            throw new TemplateException("from_json: " + e.getMessage());
        }
    }
}
