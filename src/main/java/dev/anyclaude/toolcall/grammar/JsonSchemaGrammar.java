package dev.anyclaude.toolcall.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A JSON Schema as a GBNF grammar (llama.cpp {@code grammars/README.md}) whose rule {@code root} matches the JSON
 * values the schema accepts, written the way a model writes them: optional whitespace between tokens (the bounded
 * {@code space} rule), object properties in a fixed order.
 *
 * <p>Supported: {@code type} (one or a list) object / string / number / integer / boolean / null / array;
 * {@code properties}, {@code required}, {@code additionalProperties}; {@code enum}, {@code const}; {@code items},
 * {@code minItems}, {@code maxItems}; {@code minLength}, {@code maxLength}; {@code anyOf}, {@code oneOf}
 * (as alternatives: "exactly one" is not enforced), {@code allOf} (properties and required merged);
 * {@code $ref} to {@code #}, {@code #/$defs/X} and {@code #/definitions/X} (recursion allowed); nested objects;
 * {@code {}} / {@code true} / missing = any JSON value.
 *
 * <p>Conventions and what is deliberately loosened:
 * <ul>
 *   <li>Objects: the required properties first, in declaration order, then the optional ones in declaration
 *       order, each optional. Extra properties only when {@code additionalProperties} is {@code true} or a
 *       schema (then any number of extra {@code "key": value} pairs after the declared ones; their keys are not
 *       checked against the declared names). No {@code additionalProperties} = no extras.</li>
 *   <li>Strings: {@code pattern} and {@code format} are ignored (any JSON string is allowed) — a wrong regex
 *       translation would forbid valid calls, and the tool's own validation catches the rest.</li>
 *   <li>Numbers: at most 16 digits per part (so a model cannot loop on digits); {@code minimum} / {@code
 *       maximum} only decide whether a leading minus is allowed (an integer or number whose minimum or
 *       exclusiveMinimum is {@code >= 0} is written without one).</li>
 *   <li>{@code not}, {@code if/then/else}, {@code patternProperties}, {@code propertyNames}, {@code
 *       uniqueItems}, {@code prefixItems}: ignored. Unresolvable {@code $ref}: any JSON value. {@code false}
 *       schemas: treated as any value (they never occur in tool inputs).</li>
 * </ul>
 */
public final class JsonSchemaGrammar {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonSchemaGrammar() {}

    /** The complete grammar: rule {@code root} = a JSON value matching {@code schema}. */
    public static String gbnf(JsonNode schema) {
        GrammarBuilder g = new GrammarBuilder();
        Converter c = new Converter(g, schema);
        String body = c.body(schema == null ? JsonNodeFactory.instance.objectNode() : schema, "root");
        g.define("root", body);
        return g.render();
    }

    /**
     * Adds the rules for {@code schema} to {@code g}, named after {@code name}, and returns the name of the rule
     * matching a value of the schema.
     */
    static String rule(GrammarBuilder g, JsonNode schema, String name) {
        return rule(g, schema, schema, name);
    }

    /** As {@link #rule(GrammarBuilder, JsonNode, String)}, with {@code $ref}s resolved against {@code root}. */
    static String rule(GrammarBuilder g, JsonNode schema, JsonNode root, String name) {
        Converter c = new Converter(g, root);
        JsonNode s = schema == null ? JsonNodeFactory.instance.objectNode() : schema;
        String ref = g.reserve(name);
        g.define(ref, c.body(s, ref));
        return ref;
    }

    /**
     * The fixed strings a string schema allows ({@code enum}, {@code const}, or {@code anyOf} / {@code oneOf} of
     * those), in order; empty when any string is allowed or the schema is not a string schema.
     */
    static List<String> stringChoices(JsonNode schema, JsonNode root) {
        JsonNode s = resolve(schema, root, 0);
        List<String> out = new ArrayList<>();
        if (s == null || !isString(s, root)) {
            return out;
        }
        if (s.has("const")) {
            out.add(s.get("const").asText());
            return out;
        }
        if (s.has("enum") && s.get("enum").isArray()) {
            s.get("enum").forEach(v -> out.add(v.asText()));
            return out;
        }
        for (String k : new String[] {"anyOf", "oneOf"}) {
            if (s.has(k) && s.get(k).isArray()) {
                for (JsonNode alt : s.get(k)) {
                    List<String> more = stringChoices(alt, root);
                    if (more.isEmpty()) {
                        return List.of();
                    }
                    out.addAll(more);
                }
                return out;
            }
        }
        return out;
    }

    /** Whether a value of {@code schema} is a plain string (for formats that write strings raw). */
    static boolean isString(JsonNode schema, JsonNode root) {
        JsonNode s = resolve(schema, root, 0);
        if (s == null) {
            return false;
        }
        JsonNode type = s.get("type");
        if (type != null && type.isTextual()) {
            return type.asText().equals("string");
        }
        if (type == null) {
            JsonNode values = s.has("enum") ? s.get("enum") : null;
            if (s.has("const")) {
                return s.get("const").isTextual();
            }
            if (values != null && values.isArray() && !values.isEmpty()) {
                for (JsonNode v : values) {
                    if (!v.isTextual()) {
                        return false;
                    }
                }
                return true;
            }
            for (String k : new String[] {"anyOf", "oneOf"}) {
                if (s.has(k) && s.get(k).isArray() && !s.get(k).isEmpty()) {
                    for (JsonNode alt : s.get(k)) {
                        if (!isString(alt, root)) {
                            return false;
                        }
                    }
                    return true;
                }
            }
        }
        return false;
    }

    private static @Nullable JsonNode resolve(@Nullable JsonNode s, @Nullable JsonNode root, int depth) {
        if (s != null && s.has("$ref") && depth < 32) {
            return resolve(lookup(root, s.get("$ref").asText()), root, depth + 1);
        }
        return s;
    }

    private static @Nullable JsonNode lookup(@Nullable JsonNode root, String ref) {
        if (root == null) {
            return null;
        }
        if (ref.equals("#")) {
            return root;
        }
        if (!ref.startsWith("#/")) {
            return null;
        }
        JsonNode at = root.at(ref.substring(1));
        return at.isMissingNode() ? null : at;
    }

    private static final class Converter {
        private final GrammarBuilder g;
        private final JsonNode root;
        private final Map<String, String> refs = new HashMap<>();

        Converter(GrammarBuilder g, JsonNode root) {
            this.g = g;
            this.root = root;
        }

        /** A rule name for {@code schema}: a primitive's name, or a new rule. */
        private String ref(JsonNode schema, String name) {
            String body = body(schema, name);
            if (g.has(body) && body.matches("[a-z0-9-]+")) {
                return body;
            }
            return g.add(name, body);
        }

        /** The right-hand side of a rule matching {@code schema}. */
        String body(JsonNode s, String name) {
            if (s == null || s.isBoolean() || !s.isObject() || s.isEmpty()) {
                return g.primitive("value");
            }
            if (s.has("$ref")) {
                return refRule(s.get("$ref").asText());
            }
            if (s.has("allOf") && s.get("allOf").isArray()) {
                return body(mergeAllOf(s), name);
            }
            if (s.has("const")) {
                return constant(s.get("const"));
            }
            if (s.has("enum") && s.get("enum").isArray()) {
                List<String> alts = new ArrayList<>();
                for (JsonNode v : s.get("enum")) {
                    alts.add(constant(v));
                }
                return alts.isEmpty() ? g.primitive("value") : String.join(" | ", alts);
            }
            for (String k : new String[] {"anyOf", "oneOf"}) {
                if (s.has(k) && s.get(k).isArray() && !s.get(k).isEmpty()) {
                    List<String> alts = new ArrayList<>();
                    int i = 0;
                    for (JsonNode alt : s.get(k)) {
                        alts.add(ref(withSiblings(s, alt, k), name + "-" + i++));
                    }
                    return String.join(" | ", alts);
                }
            }
            JsonNode type = s.get("type");
            if (type != null && type.isArray()) {
                List<String> alts = new ArrayList<>();
                for (JsonNode t : type) {
                    ObjectNode one = ((ObjectNode) s).deepCopy();
                    one.set("type", t);
                    alts.add(ref(one, name + "-" + GrammarBuilder.sanitize(t.asText())));
                }
                return alts.isEmpty() ? g.primitive("value") : String.join(" | ", alts);
            }
            String t = type == null ? guessType(s) : type.asText();
            return switch (t) {
                case "object" -> object(s, name);
                case "array" -> array(s, name);
                case "string" -> string(s);
                case "integer" -> nonNegative(s) ? g.primitive("integral-part") : g.primitive("integer");
                case "number" -> nonNegative(s) ? numberNonNegative() : g.primitive("number");
                case "boolean" -> g.primitive("boolean");
                case "null" -> g.primitive("null");
                default -> g.primitive("value");
            };
        }

        /** An anyOf/oneOf alternative inherits its parent's other keywords (e.g. a shared "type"). */
        private static JsonNode withSiblings(JsonNode parent, JsonNode alt, String keyword) {
            if (!alt.isObject()) {
                return alt;
            }
            ObjectNode merged = JsonNodeFactory.instance.objectNode();
            Iterator<Map.Entry<String, JsonNode>> it = parent.properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals(keyword)
                        && !e.getKey().equals("description")
                        && !e.getKey().equals("title")
                        && !e.getKey().equals("default")
                        && !e.getKey().equals("$schema")) {
                    merged.set(e.getKey(), e.getValue());
                }
            }
            if (merged.isEmpty()) {
                return alt;
            }
            merged.setAll((ObjectNode) alt);
            return merged;
        }

        private static String guessType(JsonNode s) {
            if (s.has("properties") || s.has("additionalProperties") || s.has("required")) {
                return "object";
            }
            if (s.has("items") || s.has("minItems") || s.has("maxItems")) {
                return "array";
            }
            if (s.has("minLength") || s.has("maxLength") || s.has("pattern") || s.has("format")) {
                return "string";
            }
            return "any";
        }

        private static boolean nonNegative(JsonNode s) {
            JsonNode min = s.has("minimum") ? s.get("minimum") : s.get("exclusiveMinimum");
            return min != null && min.isNumber() && min.asDouble() >= 0;
        }

        private String numberNonNegative() {
            g.primitive("integral-part");
            g.primitive("decimal-part");
            return g.add("number-non-negative", "integral-part (\".\" decimal-part)? ([eE] [-+]? integral-part)?");
        }

        private String refRule(String ref) {
            String known = refs.get(ref);
            if (known != null) {
                return known;
            }
            JsonNode target = lookup(root, ref);
            if (target == null) {
                return g.primitive("value");
            }
            String last = ref.substring(ref.lastIndexOf('/') + 1);
            String rule = g.reserve("ref-" + (last.isEmpty() || last.equals("#") ? "root" : last));
            refs.put(ref, rule);
            g.define(rule, body(target, rule));
            return rule;
        }

        private JsonNode mergeAllOf(JsonNode s) {
            ObjectNode merged = ((ObjectNode) s).deepCopy();
            merged.remove("allOf");
            ObjectNode props = JsonNodeFactory.instance.objectNode();
            Set<String> required = new LinkedHashSet<>();
            List<JsonNode> parts = new ArrayList<>();
            parts.add(merged.deepCopy());
            for (JsonNode part : s.get("allOf")) {
                parts.add(resolve(part, root, 0));
            }
            for (JsonNode part : parts) {
                if (part == null || !part.isObject()) {
                    continue;
                }
                Iterator<Map.Entry<String, JsonNode>> it = part.properties().iterator();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    switch (e.getKey()) {
                        case "properties" -> props.setAll((ObjectNode) e.getValue());
                        case "required" -> e.getValue().forEach(r -> required.add(r.asText()));
                        default -> {
                            if (!merged.has(e.getKey())) {
                                merged.set(e.getKey(), e.getValue());
                            }
                        }
                    }
                }
            }
            if (!props.isEmpty()) {
                merged.set("properties", props);
                merged.putIfAbsent("type", JsonNodeFactory.instance.textNode("object"));
            }
            if (!required.isEmpty()) {
                merged.set("required", JSON.valueToTree(required));
            }
            return merged;
        }

        private String constant(JsonNode v) {
            try {
                return GrammarBuilder.literal(JSON.writeValueAsString(v));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(e);
            }
        }

        private String string(JsonNode s) {
            int min = s.path("minLength").asInt(0);
            JsonNode maxNode = s.get("maxLength");
            if (min <= 0 && (maxNode == null || !maxNode.canConvertToInt())) {
                return g.primitive("string");
            }
            String c = g.primitive("char");
            String rep = maxNode != null && maxNode.canConvertToInt()
                    ? "{" + Math.max(0, min) + "," + Math.max(min, maxNode.asInt()) + "}"
                    : "{" + min + ",}";
            return "\"\\\"\" " + c + rep + " \"\\\"\"";
        }

        private String array(JsonNode s, String name) {
            String sp = g.space();
            JsonNode items = s.get("items");
            String item = items == null || !items.isObject() ? g.primitive("value") : ref(items, name + "-item");
            int min = Math.max(0, s.path("minItems").asInt(0));
            JsonNode maxNode = s.get("maxItems");
            Integer max = maxNode != null && maxNode.canConvertToInt() ? Math.max(0, maxNode.asInt()) : null;
            if (max != null && max == 0) {
                return "\"[\" " + sp + " \"]\"";
            }
            String more = "( \",\" " + sp + " " + item + " " + sp + " )";
            String rep;
            int restMin = Math.max(0, min - 1);
            if (max == null) {
                rep = restMin == 0 ? "*" : "{" + restMin + ",}";
            } else {
                rep = "{" + restMin + "," + Math.max(restMin, max - 1) + "}";
            }
            String list = item + " " + sp + " " + more + rep;
            return "\"[\" " + sp + " " + (min == 0 ? "( " + list + " )?" : list) + " \"]\"";
        }

        private String object(JsonNode s, String name) {
            String sp = g.space();
            JsonNode props = s.get("properties");
            JsonNode additional = s.get("additionalProperties");
            boolean extras = additional != null && !(additional.isBoolean() && !additional.asBoolean());
            if (props == null || !props.isObject() || props.isEmpty()) {
                if (additional == null && !s.has("properties")) {
                    extras = true; // a bare {"type": "object"}: any object
                }
                if (!extras) {
                    return "\"{\" " + sp + " \"}\"";
                }
                String kv = extraPair(additional, name);
                return "\"{\" " + sp + " ( " + kv + " ( \",\" " + sp + " " + kv + " )* )? \"}\"";
            }
            Set<String> required = new LinkedHashSet<>();
            if (s.has("required")) {
                s.get("required").forEach(r -> required.add(r.asText()));
            }
            List<String> req = new ArrayList<>();
            List<String> opt = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> it = props.properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String value = ref(e.getValue(), name + "-" + e.getKey());
                String kv = g.add(
                        name + "-" + e.getKey() + "-kv",
                        GrammarBuilder.literal(quote(e.getKey())) + " " + sp + " \":\" " + sp + " " + value + " " + sp);
                (required.contains(e.getKey()) ? req : opt).add(kv);
            }
            if (extras) {
                opt.add("( " + extraPair(additional, name) + " ( \",\" " + sp + " " + extraPair(additional, name)
                        + " )* )");
            }
            StringBuilder body = new StringBuilder("\"{\" ").append(sp);
            for (int i = 0; i < req.size(); i++) {
                body.append(i == 0 ? " " : " \",\" " + sp + " ").append(req.get(i));
            }
            if (!opt.isEmpty()) {
                if (!req.isEmpty()) {
                    for (String o : opt) {
                        body.append(" ( \",\" ")
                                .append(sp)
                                .append(' ')
                                .append(o)
                                .append(" )?");
                    }
                } else {
                    // none required: the first optional present has no comma before it; tail-j = the
                    // optional properties from j on, each after a comma
                    String[] tails = new String[opt.size() + 1];
                    for (int j = opt.size() - 1; j >= 1; j--) {
                        String one = "( \",\" " + sp + " " + opt.get(j) + " )?";
                        tails[j] = g.add(name + "-tail-" + j, tails[j + 1] == null ? one : one + " " + tails[j + 1]);
                    }
                    List<String> alts = new ArrayList<>();
                    for (int i = 0; i < opt.size(); i++) {
                        alts.add(tails[i + 1] == null ? opt.get(i) : opt.get(i) + " " + tails[i + 1]);
                    }
                    body.append(" ( ").append(String.join(" | ", alts)).append(" )?");
                }
            }
            return body.append(" \"}\"").toString();
        }

        private String extraPair(JsonNode additional, String name) {
            String sp = g.space();
            String value = additional == null || !additional.isObject()
                    ? g.primitive("value")
                    : ref(additional, name + "-additional");
            return g.add(
                    name + "-additional-kv",
                    g.primitive("string") + " " + sp + " \":\" " + sp + " " + value + " " + sp);
        }

        private static String quote(String key) {
            try {
                return JSON.writeValueAsString(key);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(e);
            }
        }
    }
}
