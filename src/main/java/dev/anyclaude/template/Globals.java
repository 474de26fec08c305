package dev.anyclaude.template;

import dev.anyclaude.template.Values.Callable;
import dev.anyclaude.template.Values.Namespace;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** The functions every template can call: range, namespace, raise_exception, strftime_now. */
final class Globals {
    private Globals() {}

    static void install(Scope scope, Supplier<ZonedDateTime> now) {
        scope.set("range", (Callable) Globals::range);
        scope.set("namespace", (Callable) (args, kw) -> {
            Namespace ns = new Namespace();
            if (!args.isEmpty() && args.getFirst() instanceof Map<?, ?> m) {
                m.forEach((k, v) -> ns.attributes.put(String.valueOf(k), v));
            }
            ns.attributes.putAll(kw);
            return ns;
        });
        scope.set("raise_exception", (Callable) (args, kw) -> {
            throw new TemplateException("Jinja Exception: " + (args.isEmpty() ? "" : Values.str(args.getFirst())));
        });
        scope.set("strftime_now", (Callable) (args, kw) -> strftime(Values.str(args.getFirst()), now.get()));
    }

    private static Object range(List<Object> args, Map<String, Object> kw) {
        long start = 0;
        long stop;
        long step = 1;
        if (args.size() == 1) {
            stop = Values.toLong(args.get(0));
        } else {
            start = Values.toLong(args.get(0));
            stop = Values.toLong(args.get(1));
            if (args.size() > 2) {
                step = Values.toLong(args.get(2));
            }
        }
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(i);
        }
        return out;
    }

    /** The strftime conversions chat templates use (%d, %b, %B, %Y, %m, %H, %M, %S, %y, %A, %a). */
    static String strftime(String format, ZonedDateTime t) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            char f = format.charAt(++i);
            out.append(
                    switch (f) {
                        case 'd' -> String.format("%02d", t.getDayOfMonth());
                        case 'm' -> String.format("%02d", t.getMonthValue());
                        case 'Y' -> Integer.toString(t.getYear());
                        case 'y' -> String.format("%02d", t.getYear() % 100);
                        case 'H' -> String.format("%02d", t.getHour());
                        case 'M' -> String.format("%02d", t.getMinute());
                        case 'S' -> String.format("%02d", t.getSecond());
                        case 'b' -> t.format(DateTimeFormatter.ofPattern("MMM", Locale.ENGLISH));
                        case 'B' -> t.format(DateTimeFormatter.ofPattern("MMMM", Locale.ENGLISH));
                        case 'a' -> t.format(DateTimeFormatter.ofPattern("EEE", Locale.ENGLISH));
                        case 'A' -> t.format(DateTimeFormatter.ofPattern("EEEE", Locale.ENGLISH));
                        case '%' -> "%";
                        default -> "%" + f;
                    });
        }
        return out.toString();
    }
}
