package dev.anyclaude.template;

import dev.anyclaude.template.Values.Callable;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The Python string methods templates call: strip, split, startswith, replace, format and their kin. */
final class StringMethods {
    private StringMethods() {}

    static @Nullable Callable of(String s, String name) {
        return switch (name) {
            case "strip" -> (args, kw) -> strip(s, chars(args), true, true);
            case "lstrip" -> (args, kw) -> strip(s, chars(args), true, false);
            case "rstrip" -> (args, kw) -> strip(s, chars(args), false, true);
            case "upper" -> (args, kw) -> s.toUpperCase();
            case "lower" -> (args, kw) -> s.toLowerCase();
            case "title" -> (args, kw) -> title(s);
            case "capitalize" -> (args, kw) -> capitalize(s);
            case "startswith" -> (args, kw) -> anyOf(args.getFirst(), s::startsWith);
            case "endswith" -> (args, kw) -> anyOf(args.getFirst(), s::endsWith);
            case "split" ->
                (args, kw) -> split(
                        s, args.isEmpty() ? null : args.getFirst(), args.size() > 1 ? Values.toLong(args.get(1)) : -1);
            case "rsplit" ->
                (args, kw) -> rsplit(
                        s, args.isEmpty() ? null : args.getFirst(), args.size() > 1 ? Values.toLong(args.get(1)) : -1);
            case "replace" ->
                (args, kw) -> replace(
                        s,
                        Values.str(args.get(0)),
                        Values.str(args.get(1)),
                        args.size() > 2 ? Values.toLong(args.get(2)) : -1);
            case "find" -> (args, kw) -> (long) s.indexOf(Values.str(args.getFirst()));
            case "count" -> (args, kw) -> (long) count(s, Values.str(args.getFirst()));
            case "join" ->
                (args, kw) -> String.join(
                        s,
                        Builtins.toList(args.getFirst()).stream()
                                .map(Values::str)
                                .toList());
            case "format" -> (args, kw) -> format(s, args);
            case "isdigit" -> (args, kw) -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            default -> null;
        };
    }

    private static @Nullable Object chars(List<Object> args) {
        return args.isEmpty() ? null : args.getFirst();
    }

    static String strip(String s, @Nullable Object chars, boolean left, boolean right) {
        String set = chars instanceof String c ? c : null;
        int a = 0;
        int b = s.length();
        while (left && a < b && stripped(s.charAt(a), set)) {
            a++;
        }
        while (right && b > a && stripped(s.charAt(b - 1), set)) {
            b--;
        }
        return s.substring(a, b);
    }

    private static boolean stripped(char c, @Nullable String set) {
        return set == null ? Character.isWhitespace(c) : set.indexOf(c) >= 0;
    }

    private static boolean anyOf(@Nullable Object prefixes, java.util.function.Predicate<String> test) {
        if (prefixes instanceof List<?> l) {
            return l.stream().anyMatch(p -> test.test(Values.str(p)));
        }
        return test.test(Values.str(prefixes));
    }

    static List<Object> split(String s, @Nullable Object separator, long max) {
        List<Object> out = new ArrayList<>();
        if (separator == null || separator instanceof Undefined) {
            for (String part : s.strip().split("\\s+", max < 0 ? 0 : (int) max + 1)) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
            return out;
        }
        String sep = Values.str(separator);
        int from = 0;
        while (max < 0 || out.size() < max) {
            int i = s.indexOf(sep, from);
            if (i < 0) {
                break;
            }
            out.add(s.substring(from, i));
            from = i + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static List<Object> rsplit(String s, @Nullable Object separator, long max) {
        if (max < 0) {
            return split(s, separator, max);
        }
        String sep = Values.str(separator);
        List<Object> out = new ArrayList<>();
        int end = s.length();
        while (out.size() < max) {
            int i = s.lastIndexOf(sep, end - sep.length());
            if (i < 0 || end - sep.length() < 0) {
                break;
            }
            out.addFirst(s.substring(i + sep.length(), end));
            end = i;
        }
        out.addFirst(s.substring(0, end));
        return out;
    }

    static String replace(String s, String from, String to, long count) {
        if (count < 0) {
            return s.replace(from, to);
        }
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (long n = 0; n < count; n++) {
            int i = s.indexOf(from, at);
            if (i < 0) {
                break;
            }
            out.append(s, at, i).append(to);
            at = i + from.length();
        }
        return out.append(s.substring(at)).toString();
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0 && !sub.isEmpty(); i = s.indexOf(sub, i + sub.length())) {
            n++;
        }
        return n;
    }

    static String title(String s) {
        StringBuilder out = new StringBuilder();
        boolean start = true;
        for (char c : s.toCharArray()) {
            out.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetterOrDigit(c);
        }
        return out.toString();
    }

    static String capitalize(String s) {
        return s.isEmpty()
                ? s
                : Character.toUpperCase(s.charAt(0)) + s.substring(1).toLowerCase();
    }

    private static String format(String s, List<Object> args) {
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                out.append(Values.str(args.get(next++)));
                i++;
            } else if (c == '{' && i + 2 < s.length() && Character.isDigit(s.charAt(i + 1)) && s.charAt(i + 2) == '}') {
                out.append(Values.str(args.get(s.charAt(i + 1) - '0')));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
