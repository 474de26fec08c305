package dev.anyclaude.toolcall.grammar;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A small GBNF recognizer for tests: parses the subset of llama.cpp's GBNF the grammars here use (literals, char
 * classes, rule references, groups, {@code ? * + {m} {m,} {m,n}}, empty alternatives) and tells whether a text
 * matches a rule completely, or is a prefix of some match. Sets of end positions, memoized per rule and position.
 */
public final class Gbnf {
    private sealed interface Node permits Lit, Cls, Ref, Seq, Alt, Rep {}

    private record Lit(int[] cps) implements Node {}

    private record Cls(boolean negated, List<int[]> ranges) implements Node {}

    private record Ref(String name) implements Node {}

    private record Seq(List<Node> items) implements Node {}

    private record Alt(List<Node> alts) implements Node {}

    private record Rep(Node node, int min, int max) implements Node {}

    private final Map<String, Node> rules = new HashMap<>();
    private String src;
    private int i;

    public Gbnf(String grammar) {
        src = grammar;
        i = 0;
        skipWs(true);
        while (i < src.length()) {
            String name = name();
            skipWs(false);
            expect("::=");
            Node body = alternatives(false);
            if (rules.put(name, body) != null) {
                throw new IllegalArgumentException("rule defined twice: " + name);
            }
            skipWs(true);
        }
        for (Node n : rules.values()) {
            checkRefs(n);
        }
    }

    private void checkRefs(Node n) {
        switch (n) {
            case Ref r -> {
                if (!rules.containsKey(r.name())) {
                    throw new IllegalArgumentException("undefined rule " + r.name());
                }
            }
            case Seq s -> s.items().forEach(this::checkRefs);
            case Alt a -> a.alts().forEach(this::checkRefs);
            case Rep r -> checkRefs(r.node());
            default -> {}
        }
    }

    public Set<String> ruleNames() {
        return rules.keySet();
    }

    /** Whether {@code text} matches rule {@code root} completely. */
    public boolean matches(String root, String text) {
        Matcher m = new Matcher(text.codePoints().toArray(), false);
        return m.match(new Ref(root), 0).contains(m.text.length);
    }

    /** Whether {@code text} can be continued into a match of rule {@code root}. */
    public boolean prefixOk(String root, String text) {
        Matcher m = new Matcher(text.codePoints().toArray(), true);
        return !m.match(new Ref(root), 0).isEmpty() && m.reachedEnd;
    }

    private final class Matcher {
        final int[] text;
        final boolean prefix;
        boolean reachedEnd;
        final Map<String, Map<Integer, Set<Integer>>> memo = new HashMap<>();

        Matcher(int[] text, boolean prefix) {
            this.text = text;
            this.prefix = prefix;
        }

        /** End positions after matching {@code n} from {@code pos}; in prefix mode, reaching the end counts. */
        Set<Integer> match(Node n, int pos) {
            Set<Integer> out = new TreeSet<>();
            if (prefix && pos == text.length) {
                reachedEnd = true;
                out.add(pos);
                return out;
            }
            switch (n) {
                case Lit l -> {
                    int p = pos;
                    for (int cp : l.cps()) {
                        if (p == text.length) {
                            if (prefix) {
                                reachedEnd = true;
                                out.add(p);
                            }
                            return out;
                        }
                        if (text[p] != cp) {
                            return out;
                        }
                        p++;
                    }
                    out.add(p);
                }
                case Cls c -> {
                    if (pos < text.length) {
                        boolean in = false;
                        for (int[] r : c.ranges()) {
                            in |= text[pos] >= r[0] && text[pos] <= r[1];
                        }
                        if (in != c.negated()) {
                            out.add(pos + 1);
                        }
                    }
                }
                case Ref r -> {
                    Map<Integer, Set<Integer>> byPos = memo.computeIfAbsent(r.name(), k -> new HashMap<>());
                    Set<Integer> known = byPos.get(pos);
                    if (known != null) {
                        return known;
                    }
                    byPos.put(pos, new TreeSet<>()); // left recursion yields nothing
                    Set<Integer> result = match(rules.get(r.name()), pos);
                    byPos.put(pos, result);
                    return result;
                }
                case Seq s -> {
                    Set<Integer> cur = new TreeSet<>(Set.of(pos));
                    for (Node item : s.items()) {
                        Set<Integer> nxt = new TreeSet<>();
                        for (int p : cur) {
                            nxt.addAll(match(item, p));
                        }
                        cur = nxt;
                        if (cur.isEmpty()) {
                            break;
                        }
                    }
                    out.addAll(cur);
                }
                case Alt a -> {
                    for (Node alt : a.alts()) {
                        out.addAll(match(alt, pos));
                    }
                }
                case Rep r -> {
                    Set<Integer> cur = new TreeSet<>(Set.of(pos));
                    Set<Integer> seen = new TreeSet<>();
                    if (r.min() == 0) {
                        out.add(pos);
                    }
                    for (int k = 1; r.max() < 0 || k <= r.max(); k++) {
                        Set<Integer> nxt = new TreeSet<>();
                        for (int p : cur) {
                            nxt.addAll(match(r.node(), p));
                        }
                        if (k > r.min()) {
                            nxt.removeAll(seen);
                        }
                        if (nxt.isEmpty()) {
                            break;
                        }
                        if (k >= r.min()) {
                            out.addAll(nxt);
                        }
                        seen.addAll(nxt);
                        cur = nxt;
                    }
                }
            }
            return out;
        }
    }

    // ---- parsing

    private Node alternatives(boolean nested) {
        List<Node> alts = new ArrayList<>();
        alts.add(sequence(nested));
        while (i < src.length() && src.charAt(i) == '|') {
            i++;
            alts.add(sequence(nested));
        }
        return alts.size() == 1 ? alts.get(0) : new Alt(alts);
    }

    private Node sequence(boolean nested) {
        List<Node> items = new ArrayList<>();
        while (true) {
            skipWs(nested);
            if (i >= src.length()) {
                break;
            }
            char c = src.charAt(i);
            if (c == '|' || c == ')' || c == '\n') {
                break;
            }
            Node item;
            if (c == '"') {
                i++;
                List<Integer> cps = new ArrayList<>();
                while (src.charAt(i) != '"') {
                    cps.add(charAt());
                }
                i++;
                item = new Lit(cps.stream().mapToInt(Integer::intValue).toArray());
            } else if (c == '[') {
                i++;
                boolean neg = src.charAt(i) == '^';
                if (neg) {
                    i++;
                }
                List<int[]> ranges = new ArrayList<>();
                while (src.charAt(i) != ']') {
                    int lo = charAt();
                    int hi = lo;
                    if (src.charAt(i) == '-' && src.charAt(i + 1) != ']') {
                        i++;
                        hi = charAt();
                    }
                    ranges.add(new int[] {lo, hi});
                }
                i++;
                item = new Cls(neg, ranges);
            } else if (c == '(') {
                i++;
                item = alternatives(true);
                skipWs(true);
                expect(")");
            } else {
                item = new Ref(name());
            }
            while (i < src.length()) {
                char p = src.charAt(i);
                if (p == '?') {
                    item = new Rep(item, 0, 1);
                } else if (p == '*') {
                    item = new Rep(item, 0, -1);
                } else if (p == '+') {
                    item = new Rep(item, 1, -1);
                } else if (p == '{') {
                    int close = src.indexOf('}', i);
                    String[] parts = src.substring(i + 1, close).split(",", -1);
                    int min = Integer.parseInt(parts[0].strip());
                    int max = parts.length == 1 ? min : parts[1].isBlank() ? -1 : Integer.parseInt(parts[1].strip());
                    item = new Rep(item, min, max);
                    i = close;
                } else {
                    break;
                }
                i++;
            }
            items.add(item);
        }
        return items.size() == 1 ? items.get(0) : new Seq(items);
    }

    private int charAt() {
        char c = src.charAt(i);
        if (c != '\\') {
            int cp = src.codePointAt(i);
            i += Character.charCount(cp);
            return cp;
        }
        char e = src.charAt(i + 1);
        i += 2;
        return switch (e) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'x' -> hex(2);
            case 'u' -> hex(4);
            case 'U' -> hex(8);
            default -> e;
        };
    }

    private int hex(int n) {
        int v = Integer.parseInt(src.substring(i, i + n), 16);
        i += n;
        return v;
    }

    private String name() {
        int start = i;
        while (i < src.length()
                && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '-' || src.charAt(i) == '_')) {
            i++;
        }
        if (start == i) {
            throw new IllegalArgumentException(
                    "expected a name at " + i + ": " + src.substring(i, Math.min(src.length(), i + 40)));
        }
        return src.substring(start, i);
    }

    private void expect(String s) {
        if (!src.startsWith(s, i)) {
            throw new IllegalArgumentException(
                    "expected " + s + " at " + i + ": " + src.substring(i, Math.min(src.length(), i + 40)));
        }
        i += s.length();
    }

    private void skipWs(boolean newlines) {
        while (i < src.length()) {
            char c = src.charAt(i);
            if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
                i++;
            } else if (c == '#') {
                while (i < src.length() && src.charAt(i) != '\n') {
                    i++;
                }
            } else {
                break;
            }
        }
    }
}
