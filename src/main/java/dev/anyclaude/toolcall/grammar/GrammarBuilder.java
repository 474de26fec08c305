package dev.anyclaude.toolcall.grammar;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Collects the rules of one GBNF grammar (llama.cpp's {@code grammars/README.md}): named rules in the order they
 * were first added, the JSON primitives on demand, and literal / "text until" helpers. Rule names are made of
 * {@code [a-z0-9-]} and made unique by a numeric suffix.
 */
final class GrammarBuilder {
    /**
     * Optional whitespace between JSON tokens, bounded so a model cannot loop on it forever: nothing, one space,
     * or one or two newlines followed by up to 20 spaces or tabs (the convention of llama.cpp's converter).
     */
    static final String SPACE = "| \" \" | \"\\n\"{1,2} [ \\t]{0,20}";

    private final Map<String, String> rules = new LinkedHashMap<>();
    private final Map<String, String> untilRules = new LinkedHashMap<>();

    /** Adds {@code name ::= body} under a fresh name derived from {@code name}; returns the name used. */
    String add(String name, String body) {
        String base = sanitize(name);
        String chosen = base;
        for (int i = 2; rules.containsKey(chosen); i++) {
            if (rules.get(chosen).equals(body)) {
                return chosen;
            }
            chosen = base + "-" + i;
        }
        rules.put(chosen, body);
        return chosen;
    }

    /** Reserves a fresh name (for recursive rules); fill it with {@link #define}. */
    String reserve(String name) {
        String base = sanitize(name);
        String chosen = base;
        for (int i = 2; rules.containsKey(chosen); i++) {
            chosen = base + "-" + i;
        }
        rules.put(chosen, "");
        return chosen;
    }

    void define(String name, String body) {
        rules.put(name, body);
    }

    boolean has(String name) {
        return rules.containsKey(name);
    }

    /** The whitespace rule {@code space}. */
    String space() {
        rules.putIfAbsent("space", SPACE);
        return "space";
    }

    /** A named JSON primitive: string, char, number, integer, boolean, null, value, object, array. */
    String primitive(String type) {
        if (rules.containsKey(type)) {
            return type;
        }
        switch (type) {
            case "char" ->
                rules.put("char", "[^\"\\\\\\x7F\\x00-\\x1F] | [\\\\] ([\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4})");
            case "string" -> {
                primitive("char");
                rules.put("string", "\"\\\"\" char* \"\\\"\"");
            }
            case "integral-part" -> rules.put("integral-part", "[0] | [1-9] [0-9]{0,15}");
            case "decimal-part" -> rules.put("decimal-part", "[0-9]{1,16}");
            case "number" -> {
                primitive("integral-part");
                primitive("decimal-part");
                rules.put("number", "\"-\"? integral-part (\".\" decimal-part)? ([eE] [-+]? integral-part)?");
            }
            case "integer" -> {
                primitive("integral-part");
                rules.put("integer", "\"-\"? integral-part");
            }
            case "boolean" -> rules.put("boolean", "\"true\" | \"false\"");
            case "null" -> rules.put("null", "\"null\"");
            case "value" -> {
                rules.put("value", "object | array | string | number | boolean | null");
                for (String t : new String[] {"object", "array", "string", "number", "boolean", "null"}) {
                    primitive(t);
                }
            }
            case "object" -> {
                rules.put("object", "");
                primitive("string");
                primitive("value");
                space();
                rules.put(
                        "object",
                        "\"{\" space ( string space \":\" space value space ( \",\" "
                                + "space string space \":\" space value space )* )? \"}\"");
            }
            case "array" -> {
                rules.put("array", "");
                primitive("value");
                space();
                rules.put("array", "\"[\" space ( value space ( \",\" space value space )* )? \"]\"");
            }
            default -> throw new IllegalArgumentException("no primitive " + type);
        }
        return type;
    }

    /**
     * A rule matching any text that does not contain {@code stop} (possibly empty); follow it with the literal
     * {@code stop} to read "everything up to the first {@code stop}". Built as the states of a string-matching
     * automaton: state k means the text so far ends with the first k characters of {@code stop}.
     */
    String until(String stop) {
        String cached = untilRules.get(stop);
        if (cached != null) {
            return cached;
        }
        int[] cps = stop.codePoints().toArray();
        int n = cps.length;
        if (n == 0) {
            throw new IllegalArgumentException("empty stop string");
        }
        String base = reserve("until-" + stop);
        String[] names = new String[n];
        names[0] = base;
        for (int k = 1; k < n; k++) {
            names[k] = reserve(base + "-" + k);
        }
        TreeSet<Integer> alphabet = new TreeSet<>();
        for (int cp : cps) {
            alphabet.add(cp);
        }
        for (int k = 0; k < n; k++) {
            // characters that keep (part of) a match going are listed; every other one starts over
            StringBuilder body = new StringBuilder("\"\"");
            StringBuilder listed = new StringBuilder();
            for (int cp : alphabet) {
                int next = next(cps, k, cp);
                if (next == n) {
                    listed.append(classChar(cp));
                } else if (next > 0) {
                    listed.append(classChar(cp));
                    body.append(" | ")
                            .append(literal(new String(Character.toChars(cp))))
                            .append(' ')
                            .append(names[next]);
                }
            }
            body.append(" | ")
                    .append(listed.isEmpty() ? "[^\\x00]" : "[^" + listed + "]")
                    .append(' ')
                    .append(names[0]);
            define(names[k], body.toString());
        }
        untilRules.put(stop, base);
        return base;
    }

    /** The state after reading {@code cp} in state {@code k}: the longest prefix of stop that is a suffix. */
    private static int next(int[] stop, int k, int cp) {
        int[] text = new int[k + 1];
        System.arraycopy(stop, 0, text, 0, k);
        text[k] = cp;
        for (int len = Math.min(k + 1, stop.length); len > 0; len--) {
            boolean match = true;
            for (int i = 0; i < len && match; i++) {
                match = text[k + 1 - len + i] == stop[i];
            }
            if (match) {
                return len;
            }
        }
        return 0;
    }

    /** The grammar text, one rule a line, {@code root} first if present. */
    String render() {
        StringBuilder out = new StringBuilder();
        String root = rules.get("root");
        if (root != null) {
            out.append("root ::= ").append(root).append('\n');
        }
        for (Map.Entry<String, String> e : rules.entrySet()) {
            if (!e.getKey().equals("root")) {
                out.append(e.getKey()).append(" ::= ").append(e.getValue()).append('\n');
            }
        }
        return out.toString();
    }

    /** A GBNF string literal matching exactly {@code text}. */
    static String literal(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (cp < 0x20 || cp == 0x7F) {
                        out.append(String.format("\\x%02X", cp));
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    private static String classChar(int cp) {
        return switch (cp) {
            case ']' -> "\\]";
            case '[' -> "\\[";
            case '\\' -> "\\\\";
            case '^' -> "\\^";
            case '-' -> "\\-";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> cp < 0x20 ? String.format("\\x%02X", cp) : new String(Character.toChars(cp));
        };
    }

    /** A rule name made of {@code [a-z0-9-]}: other characters become {@code -}. */
    static String sanitize(String name) {
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                out.append(c);
            } else if (c >= 'A' && c <= 'Z') {
                out.append(Character.toLowerCase(c));
            } else if (out.isEmpty() || out.charAt(out.length() - 1) != '-') {
                out.append('-');
            }
        }
        String s = out.toString().replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "r" : s;
    }
}
