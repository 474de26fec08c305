package dev.anyclaude.template;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The JSON text llama.cpp's {@code tojson} writes: Python's json.dumps layout, non-ASCII kept unless asked. */
final class JsonText {
    private JsonText() {}

    static String write(@Nullable Object value, int indent, String itemSep, String keySep, boolean ensureAscii) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0, indent, itemSep, keySep, ensureAscii);
        return out.toString();
    }

    private static void write(
            StringBuilder out,
            @Nullable Object v,
            int level,
            int indent,
            String itemSep,
            String keySep,
            boolean ascii) {
        switch (v) {
            case null -> out.append("null");
            case Undefined u -> out.append("null");
            case Boolean b -> out.append(b);
            case Long l -> out.append(l);
            case Double d -> out.append(doubleText(d));
            case String s -> string(out, s, ascii);
            case List<?> list -> {
                out.append('[');
                if (!list.isEmpty()) {
                    newline(out, indent);
                    for (int i = 0; i < list.size(); i++) {
                        pad(out, level + 1, indent);
                        write(out, list.get(i), level + 1, indent, itemSep, keySep, ascii);
                        if (i < list.size() - 1) {
                            out.append(itemSep);
                        }
                        newline(out, indent);
                    }
                    pad(out, level, indent);
                }
                out.append(']');
            }
            case Map<?, ?> map -> {
                out.append('{');
                if (!map.isEmpty()) {
                    newline(out, indent);
                    int i = 0;
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        pad(out, level + 1, indent);
                        string(out, String.valueOf(e.getKey()), ascii);
                        out.append(keySep);
                        write(out, e.getValue(), level + 1, indent, itemSep, keySep, ascii);
                        if (i++ < map.size() - 1) {
                            out.append(itemSep);
                        }
                        newline(out, indent);
                    }
                    pad(out, level, indent);
                }
                out.append('}');
            }
            case Values.Namespace ns -> write(out, ns.attributes, level, indent, itemSep, keySep, ascii);
            default -> out.append("null");
        }
    }

    private static void newline(StringBuilder out, int indent) {
        if (indent >= 0) {
            out.append('\n');
        }
    }

    private static void pad(StringBuilder out, int level, int indent) {
        if (indent > 0) {
            out.append(" ".repeat(level * indent));
        }
    }

    /** C++ stream formatting of a double: six significant digits, as printf's %g. */
    private static String doubleText(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e6) {
            return Long.toString((long) d);
        }
        String s = String.format(java.util.Locale.ROOT, "%.6g", d);
        if (s.contains("e")) {
            String[] parts = s.split("e");
            String m = parts[0].contains(".") ? parts[0].replaceAll("0+$", "").replaceAll("\\.$", "") : parts[0];
            int exp = Integer.parseInt(parts[1]);
            return m + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    private static void string(StringBuilder out, String s, boolean ascii) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || (ascii && c >= 0x80)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
