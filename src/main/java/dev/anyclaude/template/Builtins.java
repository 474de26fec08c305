package dev.anyclaude.template;

import dev.anyclaude.template.Values.Callable;
import dev.anyclaude.template.Values.Namespace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Attribute access, indexing, tests and filters: the built-in vocabulary templates use on values. */
final class Builtins {
    private Builtins() {}

    static List<Object> toList(@Nullable Object v) {
        return switch (v) {
            case List<?> l -> new ArrayList<>(l);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case String s -> {
                List<Object> chars = new ArrayList<>();
                s.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
                yield chars;
            }
            case Undefined u -> new ArrayList<>();
            case null -> new ArrayList<>();
            default -> throw new TemplateException("not iterable: " + Values.typeName(v));
        };
    }

    static @Nullable Object attribute(@Nullable Object object, String name) {
        return switch (object) {
            case Map<?, ?> m -> {
                if (m.containsKey(name)) {
                    yield m.get(name);
                }
                Callable method = mapMethod(m, name);
                yield method != null ? method : Undefined.INSTANCE;
            }
            case Callable f -> throw new TemplateException("Function has no builtins");
            case Namespace ns -> ns.attributes.getOrDefault(name, Undefined.INSTANCE);
            case null -> throw new TemplateException("None has no attribute " + name);
            default -> {
                Callable method = method(object, name);
                yield method != null ? method : Undefined.INSTANCE;
            }
        };
    }

    static @Nullable Object index(@Nullable Object object, @Nullable Object key) {
        return switch (object) {
            case Map<?, ?> m -> {
                Object k = key instanceof Long ? key : Values.str(key);
                yield m.containsKey(k) ? m.get(k) : Undefined.INSTANCE;
            }
            case Namespace ns -> ns.attributes.getOrDefault(Values.str(key), Undefined.INSTANCE);
            case List<?> l -> {
                if (!(key instanceof Long)) {
                    yield Undefined.INSTANCE;
                }
                long i = (Long) key;
                if (i < 0) {
                    i += l.size();
                }
                yield i >= 0 && i < l.size() ? l.get((int) i) : Undefined.INSTANCE;
            }
            case String s -> {
                List<Object> chars = toList(s);
                yield index(chars, key);
            }
            case null -> throw new TemplateException("None cannot be indexed");
            default -> Undefined.INSTANCE;
        };
    }

    static @Nullable Object slice(
            @Nullable Object object, @Nullable Object start, @Nullable Object stop, @Nullable Object step) {
        List<Object> items = toList(object);
        int n = items.size();
        long st = step == null ? 1 : Values.toLong(step);
        List<Object> out = new ArrayList<>();
        if (st > 0) {
            long a = start == null ? 0 : clamp(Values.toLong(start), n, 0, n);
            long b = stop == null ? n : clamp(Values.toLong(stop), n, 0, n);
            for (long i = a; i < b; i += st) {
                out.add(items.get((int) i));
            }
        } else {
            long a = start == null ? n - 1 : clamp(Values.toLong(start), n, -1, n - 1);
            long b = stop == null ? -1 : clamp(Values.toLong(stop), n, -1, n - 1);
            for (long i = a; i > b; i += st) {
                out.add(items.get((int) i));
            }
        }
        if (object instanceof String) {
            StringBuilder sb = new StringBuilder();
            out.forEach(sb::append);
            return sb.toString();
        }
        return out;
    }

    private static long clamp(long i, int n, long low, long high) {
        if (i < 0) {
            i += n;
        }
        return Math.max(low, Math.min(high, i));
    }

    static boolean contains(@Nullable Object container, @Nullable Object item) {
        return switch (container) {
            case String s -> s.contains(Values.str(item));
            case List<?> l -> l.stream().anyMatch(x -> Values.equal(x, item));
            case Map<?, ?> m -> m.containsKey(item instanceof Long ? item : Values.str(item));
            case Namespace ns -> ns.attributes.containsKey(Values.str(item));
            case null -> throw new TemplateException("None is not a container");
            default -> false;
        };
    }

    static boolean test(String name, @Nullable Object v, List<Object> args) {
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> v instanceof Long || v instanceof Double;
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "mapping" -> v instanceof Map;
            case "iterable", "sequence" -> v instanceof List || v instanceof String || v instanceof Undefined;
            case "callable" -> v instanceof Callable;
            case "equalto", "eq", "==" -> Values.equal(v, args.getFirst());
            case "ne" -> !Values.equal(v, args.getFirst());
            case "in" -> contains(args.getFirst(), v);
            case "odd" -> Values.toLong(v) % 2 != 0;
            case "even" -> Values.toLong(v) % 2 == 0;
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase());
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase());
            default -> throw new TemplateException("unknown test: " + name);
        };
    }

    static @Nullable Callable method(@Nullable Object object, String name) {
        return switch (object) {
            case String s -> StringMethods.of(s, name);
            case Map<?, ?> m -> mapMethod(m, name);
            case List<?> l -> listMethod(l, name);
            case null, default -> null;
        };
    }

    @SuppressWarnings("unchecked")
    private static @Nullable Callable mapMethod(Map<?, ?> m, String name) {
        Map<String, Object> map = (Map<String, Object>) m;
        return switch (name) {
            case "get" ->
                (args, kw) -> map.containsKey(Values.str(args.getFirst()))
                        ? map.get(Values.str(args.getFirst()))
                        : args.size() > 1 ? args.get(1) : null;
            case "items" -> (args, kw) -> items(map);
            case "keys" -> (args, kw) -> new ArrayList<Object>(map.keySet());
            case "values" -> (args, kw) -> new ArrayList<>(map.values());
            case "pop" ->
                (args, kw) -> {
                    String k = Values.str(args.getFirst());
                    if (map.containsKey(k)) {
                        return map.remove(k);
                    }
                    return args.size() > 1 ? args.get(1) : Undefined.INSTANCE;
                };
            default -> null;
        };
    }

    @SuppressWarnings("unchecked")
    private static @Nullable Callable listMethod(List<?> l, String name) {
        List<Object> list = (List<Object>) l;
        return switch (name) {
            case "append" ->
                (args, kw) -> {
                    list.add(args.getFirst());
                    return null;
                };
            case "pop" ->
                (args, kw) -> list.remove(
                        args.isEmpty()
                                ? list.size() - 1
                                : (int) Math.floorMod(Values.toLong(args.getFirst()), list.size()));
            case "insert" ->
                (args, kw) -> {
                    list.add((int) Values.toLong(args.get(0)), args.get(1));
                    return null;
                };
            default -> null;
        };
    }

    static List<Object> items(Map<?, ?> map) {
        List<Object> out = new ArrayList<>();
        map.forEach((k, v) -> out.add(new ArrayList<>(java.util.Arrays.asList(k, v))));
        return out;
    }

    static @Nullable Object filter(String name, @Nullable Object v, List<Object> args, Map<String, Object> kw) {
        return Filters.apply(name, v, args, kw);
    }
}
