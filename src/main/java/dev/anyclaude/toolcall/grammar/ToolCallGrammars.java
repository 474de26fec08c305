package dev.anyclaude.toolcall.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anyclaude.toolcall.ToolCallSyntax;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The grammar that makes a model's tool calls well-formed, per {@link ToolCallSyntax}: "one or more tool calls in
 * that format", each naming one of the given tools and carrying arguments that match its input schema
 * ({@link JsonSchemaGrammar}). The grammar's {@code root} starts at the format's call opener, which is also the
 * lazy trigger, so text before the first call is free.
 *
 * <p>The formats (whitespace between the tags and between calls is the bounded {@code space} rule):
 * <ul>
 *   <li>HERMES: {@code <tool_call>{"name": "N", "arguments": {..}}</tool_call>}, repeated.</li>
 *   <li>QWEN3_CODER: {@code <tool_call><function=N><parameter=P>V</parameter>..</function></tool_call>},
 *       repeated.</li>
 *   <li>LLAMA3_JSON: optional {@code <|python_tag|>}, then {@code {"name": "N", "parameters": {..}}}, calls
 *       separated by whitespace or {@code ;}. Triggered by {@code <|python_tag|>} anywhere, or by a
 *       {@code {"name":} that starts the output (after whitespace): Llama answers a call with nothing else.</li>
 *   <li>MISTRAL: {@code [TOOL_CALLS]N[ARGS]{..}} (an optional {@code [CALL_ID]id} before {@code [ARGS]}),
 *       repeated; the older {@code [TOOL_CALLS][{..}]} list form is not produced.</li>
 *   <li>HARMONY: one call (its end, {@code <|call|>}, ends the turn, so the grammar stops after the
 *       arguments): {@code <|channel|>commentary to=functions.N <|constrain|>json<|message|>{..}} or the
 *       recipient-first {@code  to=functions.N<|channel|>commentary json<|message|>{..}}, optionally after
 *       {@code <|start|>assistant}; the channel may be {@code analysis}, the constraint may be missing.</li>
 *   <li>GLM: {@code <tool_call>N<arg_key>K</arg_key><arg_value>V</arg_value>..</tool_call>}, repeated.</li>
 *   <li>DEEPSEEK_V3: {@code <｜tool▁calls▁begin｜>} then calls {@code
 * <｜tool▁call▁begin｜>N<｜tool▁sep｜>{..}<｜tool▁call▁end｜>}
 *       (V3.1) or {@code <｜tool▁call▁begin｜>function<｜tool▁sep｜>N\n```json\n{..}\n```<｜tool▁call▁end｜>} (V3),
 *       then {@code <｜tool▁calls▁end｜>}.</li>
 *   <li>KIMI_K2: optional {@code <|tool_calls_section_begin|>}, calls
 *       {@code <|tool_call_begin|>functions.N:IDX<|tool_call_argument_begin|>{..}<|tool_call_end|>}, optional
 *       {@code <|tool_calls_section_end|>}; triggered by either opener.</li>
 *   <li>DEEPSEEK_DSML: {@code <｜DSML｜tool_calls><｜DSML｜invoke name="N"><｜DSML｜parameter name="P"
 * string="true">V</｜DSML｜parameter>..}
 *       (V3.2 names the block {@code function_calls}; either is accepted),
 *   <li>MINIMAX_M2: {@code <minimax:tool_call><invoke name="N"><parameter
 * name="P">V</parameter>..</invoke>..</minimax:tool_call>},
 *       repeated.</li>
 * </ul>
 * In the formats that write parameters one by one (QWEN3_CODER, GLM, MINIMAX_M2) a parameter whose schema is a
 * string is written raw (any text up to the closing tag; one of the values, between optional whitespace, when the
 * schema lists them with enum / const / anyOf), any other as JSON; required parameters come first in
 * declaration order, then the optional ones in declaration order; a tool whose schema declares no properties
 * takes any parameters (raw values).
 *
 * <p>Triggers are regexes only (they also match an opener that the model emits as one special token, since the
 * sampler matches the text of the tokens); {@link ToolCallGrammar#triggerTokens()} is always empty.
 */
public final class ToolCallGrammars {
    private ToolCallGrammars() {}

    /**
     * The grammar for calls to {@code toolSchemas} (tool name → input schema, in the order to offer them).
     * Empty when the syntax has no grammar (NONE, or a constant this class does not know) or there are no tools.
     *
     * @param forcedTool null = model may answer freely (lazy grammar, triggered by the call opener); "" = a call
     *     to any tool is forced (strict grammar from the first token); a name = a call to that tool is forced
     * @throws IllegalArgumentException when {@code forcedTool} names a tool that is not in {@code toolSchemas}
     */
    public static Optional<ToolCallGrammar> forTools(
            ToolCallSyntax syntax, Map<String, JsonNode> toolSchemas, String forcedTool) {
        if (syntax == null || toolSchemas == null || toolSchemas.isEmpty()) {
            return Optional.empty();
        }
        Map<String, JsonNode> tools = new LinkedHashMap<>(toolSchemas);
        if (forcedTool != null && !forcedTool.isEmpty()) {
            if (!toolSchemas.containsKey(forcedTool)) {
                throw new IllegalArgumentException("forced tool " + forcedTool + " is not among the tools");
            }
            tools = Map.of(forcedTool, toolSchemas.get(forcedTool));
        }
        Format f = switch (syntax.name()) {
            case "HERMES" -> new Hermes();
            case "QWEN3_CODER" -> new Qwen3Coder();
            case "LLAMA3_JSON" -> new Llama3();
            case "MISTRAL" -> new Mistral();
            case "HARMONY" -> new Harmony();
            case "GLM" -> new Glm();
            case "DEEPSEEK_V3" -> new DeepSeekV3();
            case "KIMI_K2" -> new KimiK2();
            case "MINIMAX_M2" -> new MiniMaxM2();
            case "DEEPSEEK_DSML" -> new DeepSeekDsml();
            default -> null;
        };
        if (f == null) {
            return Optional.empty();
        }
        GrammarBuilder g = new GrammarBuilder();
        g.reserve("root");
        g.define("root", f.root(g, tools));
        List<String> triggers = forcedTool == null ? f.triggers() : List.of();
        return Optional.of(new ToolCallGrammar(g.render(), "root", triggers, List.of()));
    }

    /**
     * A trigger regex for {@code opener} anywhere in the output: {@code (OPENER)}. llama.cpp (v0.5.0,
     * {@code llama-grammar.cpp}) runs a pattern that is not anchored at both ends as a search over the output so
     * far, and feeds the grammar from the start of group 1 (else of the match); only a pattern with both
     * {@code ^} and {@code $} is matched against the whole output. The full-match form
     * {@code ^[\s\S]*?(OPENER)[\s\S]*$} selects the same start but, run after every token, costs several times
     * more (measured on the pinned server: 4,000 tokens took 89 s with it, 33 s with the search form, 17 s
     * without a lazy grammar), and the unanchored {@code [\s\S]*?(OPENER)[\s\S]*} is quadratic per token.
     */
    static String anywhere(String openerRegex) {
        return "(" + openerRegex + ")";
    }

    /** {@code text} as a regex matching it literally (the characters std::regex treats specially escaped). */
    static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (".^$|()*+?[]{}\\".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String lit(String s) {
        return GrammarBuilder.literal(s);
    }

    private static String jsonString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** The rule for a tool's JSON arguments. */
    private static String args(GrammarBuilder g, String tool, JsonNode schema) {
        return JsonSchemaGrammar.rule(g, schema, "tool-" + tool + "-args");
    }

    /** {@code first ( sep first )*} as a rule body. */
    private static String oneOrMore(String item, String sep) {
        return item + " ( " + sep + " " + item + " )*";
    }

    private interface Format {
        String root(GrammarBuilder g, Map<String, JsonNode> tools);

        List<String> triggers();
    }

    /** The tool alternatives, each from {@code perTool}, as one rule. */
    private static String choice(GrammarBuilder g, String name, Map<String, JsonNode> tools, PerTool perTool) {
        List<String> alts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : tools.entrySet()) {
            alts.add(g.add("tool-" + e.getKey(), perTool.body(e.getKey(), e.getValue())));
        }
        return g.add(name, String.join(" | ", alts));
    }

    private interface PerTool {
        String body(String name, JsonNode schema);
    }

    /**
     * Parameters written one by one, for the XML-like formats: {@code open(P)} value {@code close}, then
     * whitespace. Strings raw (up to {@code close}), other values JSON.
     */
    private static String params(
            GrammarBuilder g, String tool, @Nullable JsonNode schema, ParamOpen open, String close) {
        String sp = g.space();
        JsonNode props = schema == null ? null : schema.get("properties");
        String raw = g.until(close);
        if (schema == null || props == null || !props.isObject() || props.isEmpty()) {
            String anyName = g.add("param-name", "[^<>\"\\n]+");
            return "( " + open.open(null, anyName) + " " + raw + " " + lit(close) + " " + sp + " )*";
        }
        Set<String> required = new LinkedHashSet<>();
        if (schema.has("required")) {
            schema.get("required").forEach(r -> required.add(r.asText()));
        }
        List<String> req = new ArrayList<>();
        List<String> opt = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = props.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String value;
            List<String> choices = JsonSchemaGrammar.stringChoices(e.getValue(), schema);
            if (!choices.isEmpty()) {
                List<String> alts = new ArrayList<>(new LinkedHashSet<>(
                        choices.stream().map(ToolCallGrammars::lit).toList()));
                value = sp + " ( " + String.join(" | ", alts) + " ) " + sp;
            } else if (JsonSchemaGrammar.isString(e.getValue(), schema)) {
                value = raw;
            } else {
                String json = JsonSchemaGrammar.rule(g, e.getValue(), schema, "tool-" + tool + "-" + e.getKey());
                value = sp + " " + json + " " + sp;
            }
            String rule = g.add(
                    "tool-" + tool + "-param-" + e.getKey(),
                    open.open(e.getKey(), null) + " " + value + " " + lit(close) + " " + sp);
            (required.contains(e.getKey()) ? req : opt).add(rule);
        }
        List<String> seq = new ArrayList<>(req);
        for (String o : opt) {
            seq.add(o + "?");
        }
        return seq.isEmpty() ? "\"\"" : String.join(" ", seq);
    }

    /** The opening of a parameter: for a known name ({@code ruleForName} null) or any name (a rule). */
    private interface ParamOpen {
        String open(@Nullable String name, @Nullable String ruleForName);
    }

    private static final class Hermes implements Format {
        @Override
        public String root(GrammarBuilder g, Map<String, JsonNode> tools) {
            String sp = g.space();
            String choice = choice(
                    g,
                    "tool-choice",
                    tools,
                    (name, schema) -> lit(jsonString(name)) + " " + sp + " \",\" " + sp + " " + lit("\"arguments\"")
                            + " " + sp + " \":\" " + sp + " " + args(g, name, schema));
            String call = g.add(
                    "tool-call",
                    lit("<tool_call>") + " " + sp + " \"{\" " + sp + " " + lit("\"name\"") + " " + sp + " \":\" " + sp
                            + " " + choice + " " + sp + " \"}\" " + sp + " " + lit("</tool_call>"));
            return oneOrMore(call, sp);
        }

        @Override
        public List<String> triggers() {
            return List.of(anywhere(escape("<tool_call>")));
        }
    }

    private static final class Qwen3Coder implements Format {
        @Override
        public String root(GrammarBuilder g, Map<String, JsonNode> tools) {
            String sp = g.space();
            String choice = choice(
                    g,
                    "tool-choice",
                    tools,
                    (name, schema) -> lit("<function=" + name + ">") + " " + sp
                            + " "
                            + params(
                                    g,
                                    name,
                                    schema,
                                    (p, any) -> p != null
                                            ? lit("<parameter=" + p + ">")
                                            : lit("<parameter=") + " " + any + " \">\"",
                                    "</parameter>")
                            + " " + lit("</function>"));
            String call = g.add(
                    "tool-call", lit("<tool_call>") + " " + sp + " " + choice + " " + sp + " " + lit("</tool_call>"));
            return oneOrMore(call, sp);
        }

        @Override
        public List<String> triggers() {
            return List.of(anywhere(escape("<tool_call>")));
        }
    }

    private static final class Llama3 implements Format {
        @Override
        public String root(GrammarBuilder g, Map<String, JsonNode> tools) {
            String sp = g.space();
            String choice = choice(
                    g,
                    "tool-choice",
                    tools,
                    (name, schema) -> lit(jsonString(name)) + " " + sp + " \",\" " + sp + " " + lit("\"parameters\"")
                            + " " + sp + " \":\" " + sp + " " + args(g, name, schema));
            String call = g.add(
                    "tool-call",
                    "\"{\" " + sp + " " + lit("\"name\"") + " " + sp + " \":\" " + sp + " " + choice + " " + sp
                            + " \"}\"");
            return "( " + lit("<|python_tag|>") + " " + sp + " )? " + oneOrMore(call, sp + " ( \";\" " + sp + " )?");
        }

        @Override
        public List<String> triggers() {
            return List.of(anywhere(escape("<|python_tag|>")), "^\\s*(\\{\\s*\"name\"\\s*:)");
        }
    }

    private static final class Mistral implements Format {
        @Override
        public String root(GrammarBuilder g, Map<String, JsonNode> tools) {
            String sp = g.space();
            String callId = g.add("call-id", "( " + lit("[CALL_ID]") + " [a-zA-Z0-9]{1,16} )?");
            String choice = choice(
                    g,
                    "tool-choice",
                    tools,
                    (name, schema) -> lit(name) + " " + callId + " " + lit("[ARGS]") + " " + args(g, name, schema));
            String call = g.add("tool-call", lit("[TOOL_CALLS]") + " " + choice);
            return oneOrMore(call, sp);
        }

        @Override
        public List<String> triggers() {
            return List.of(anywhere(escape("[TOOL_CALLS]")));
        }
    }

    private static final class Harmony implements Format {
        @Override
        public String root(GrammarBuilder g, Map<String, JsonNode> tools) {
            String channel = g.add("channel", lit("<|channel|>") + " ( \"commentary\" | \"analysis\" )");
            String constraint = g.add("constraint", "( \" \"? " + lit("<|constrain|>") + "? \"json\" )?");
            String channelFirst = choice(
                    g,
                    "channel-first",
                    tools,
                    (name, schema) -> channel + " " + lit(" to=functions." + name) + " " + constraint + " "
                            + lit("<|message|>") + " " + args(g, name, schema));
            String recipientFirst = choice(
                    g,
                    "recipient-first",
                    tools,
                    (name, schema) -> "\" \"* "
                            + lit("to=functions." + name) + " " + channel + " " + constraint + " " + lit("<|message|>")
                            + " "
                            + args(g, name, schema));
            return "( " + lit("<|start|>assistant") + " )? ( " + channelFirst + " | " + recipientFirst + " )";
        }

        @Override
        public List<String> triggers() {
            return List.of(
                    anywhere(escape("<|channel|>") + "(?:commentary|analysis) to="),
                    anywhere(escape("<|start|>assistant") + " to="),
                    "^( *to=)");
        }
    }

    private static final class Glm implements Format {
        @Override
        public String root(GrammarBuilder g, Map<String, JsonNode> tools) {
            String sp = g.space();
            String choice = choice(
                    g,
                    "tool-choice",
                    tools,
                    (name, schema) -> lit(name) + " " + sp + " "
                            + params(
                                    g,
                                    name,
                                    schema,
                                    (p, any) -> (p != null
                                                    ? lit("<arg_key>" + p + "</arg_key>")
                                                    : lit("<arg_key>") + " " + any + " " + lit("</arg_key>"))
                                            + " " + sp + " " + lit("<arg_value>"),
                                    "</arg_value>"));
            String call = g.add("tool-call", lit("<tool_call>") + " " + choice + " " + sp + " " + lit("</tool_call>"));
            return oneOrMore(call, sp);
        }

        @Override
        public List<String> triggers() {
            return List.of(anywhere(escape("<tool_call>")));
        }
    }

    private static final class DeepSeekV3 implements Format {
        @Override
        public String root(GrammarBuilder g, Map<String, JsonNode> tools) {
            String sp = g.space();
            String choice = choice(g, "tool-choice", tools, (name, schema) -> {
                String a = args(g, name, schema);
                return "( " + lit(name + "<｜tool▁sep｜>") + " " + a + " | "
                        + lit("function<｜tool▁sep｜>" + name + "\n```json") + " " + sp + " " + a + " " + sp + " "
                        + lit("```") + " )";
            });
            String call = g.add(
                    "tool-call", lit("<｜tool▁call▁begin｜>") + " " + choice + " " + sp + " " + lit("<｜tool▁call▁end｜>"));
            return lit("<｜tool▁calls▁begin｜>") + " " + sp + " " + oneOrMore(call, sp) + " " + sp + " "
                    + lit("<｜tool▁calls▁end｜>");
        }

        @Override
        public List<String> triggers() {
            return List.of(anywhere(escape("<｜tool▁calls▁begin｜>")));
        }
    }

    private static final class KimiK2 implements Format {
        @Override
        public String root(GrammarBuilder g, Map<String, JsonNode> tools) {
            String sp = g.space();
            String choice = choice(
                    g,
                    "tool-choice",
                    tools,
                    (name, schema) -> lit("functions." + name + ":") + " [0-9]{1,4} " + sp + " "
                            + lit("<|tool_call_argument_begin|>") + " " + args(g, name, schema));
            String call = g.add(
                    "tool-call",
                    lit("<|tool_call_begin|>") + " \" \"? " + choice + " " + sp + " " + lit("<|tool_call_end|>"));
            return "( " + lit("<|tool_calls_section_begin|>") + " " + sp + " )? " + oneOrMore(call, sp) + " ( " + sp
                    + " " + lit("<|tool_calls_section_end|>") + " )?";
        }

        @Override
        public List<String> triggers() {
            return List.of(anywhere(escape("<|tool_calls_section_begin|>") + "|" + escape("<|tool_call_begin|>")));
        }
    }

    private static final class MiniMaxM2 implements Format {
        @Override
        public String root(GrammarBuilder g, Map<String, JsonNode> tools) {
            String sp = g.space();
            String choice = choice(
                    g,
                    "tool-choice",
                    tools,
                    (name, schema) -> lit("<invoke name=" + jsonString(name) + ">")
                            + " " + sp + " "
                            + params(
                                    g,
                                    name,
                                    schema,
                                    (p, any) -> p != null
                                            ? lit("<parameter name=" + jsonString(p) + ">")
                                            : lit("<parameter name=\"") + " " + any + " " + lit("\">"),
                                    "</parameter>")
                            + " " + lit("</invoke>"));
            String block = g.add(
                    "tool-calls",
                    lit("<minimax:tool_call>") + " " + sp + " " + oneOrMore(choice, sp) + " " + sp + " "
                            + lit("</minimax:tool_call>"));
            return oneOrMore(block, sp);
        }

        @Override
        public List<String> triggers() {
            return List.of(anywhere(escape("<minimax:tool_call>")));
        }
    }

    /**
     * DeepSeek V3.2 / V4: MiniMax-like invoke/parameter XML under the {@code ｜DSML｜} token, with a string attribute.
     */
    private static final class DeepSeekDsml implements Format {
        private static final String T = "\uFF5CDSML\uFF5C";

        @Override
        public String root(GrammarBuilder g, Map<String, JsonNode> tools) {
            String sp = g.space();
            String stringAttr = lit(" string=\"") + " ( " + lit("true") + " | " + lit("false") + " ) " + lit("\">");
            String choice = choice(
                    g,
                    "tool-choice",
                    tools,
                    (name, schema) -> lit("<" + T + "invoke name=" + jsonString(name) + ">")
                            + " " + sp + " "
                            + params(
                                    g,
                                    name,
                                    schema,
                                    (p, any) -> p != null
                                            ? lit("<" + T + "parameter name=" + jsonString(p)) + " " + stringAttr
                                            : lit("<" + T + "parameter name=\"") + " " + any + " " + lit("\"") + " "
                                                    + stringAttr,
                                    "</" + T + "parameter>")
                            + " " + lit("</" + T + "invoke>"));
            String block = g.add(
                    "tool-calls",
                    "( " + lit("<" + T + "tool_calls>") + " " + sp + " " + oneOrMore(choice, sp) + " " + sp
                            + " " + lit("</" + T + "tool_calls>") + " | " + lit("<" + T + "function_calls>") + " " + sp
                            + " "
                            + oneOrMore(choice, sp) + " " + sp + " " + lit("</" + T + "function_calls>") + " )");
            return oneOrMore(block, sp);
        }

        @Override
        public List<String> triggers() {
            return List.of(anywhere(escape("<" + T + "tool_calls>")), anywhere(escape("<" + T + "function_calls>")));
        }
    }
}
