package dev.anyclaude.toolcall.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anyclaude.toolcall.ToolCallSyntax;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ToolCallGrammarsTest {
    static final Map<String, JsonNode> TOOLS = ClaudeCodeTools.standard();

    /** Per format: well-formed outputs (the first one calls Bash first), and malformed ones. */
    record Samples(List<String> good, List<String> bad) {}

    static Samples samples(ToolCallSyntax syntax) {
        return switch (syntax) {
            case HERMES ->
                new Samples(
                        List.of(
                                "<tool_call>\n{\"name\": \"Bash\", \"arguments\": "
                                        + "{\"command\": \"ls -la\", \"description\": \"List "
                                        + "files\"}}\n</tool_call>",
                                "<tool_call>\n{\"name\": \"Bash\", \"arguments\": "
                                        + "{\"command\": \"ls\"}}\n</tool_call>\n"
                                        + "<tool_call>\n{\"name\": \"TaskUpdate\", \"arguments\": "
                                        + "{\"taskId\": \"3\", \"status\": \"deleted\", "
                                        + "\"addBlocks\": [\"1\", \"2\"], \"metadata\": {\"k\": null}}}\n</tool_call>"),
                        List.of(
                                "<tool_call>\n{\"name\": \"Write\", \"arguments\": {}}\n</tool_call>",
                                "<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"timeout\": 5}}\n</tool_call>",
                                "<tool_call>\n{\"name\": \"TaskUpdate\", \"arguments\": "
                                        + "{\"taskId\": \"3\", \"status\": \"done\"}}\n</tool_call>",
                                "{\"name\": \"Bash\", \"arguments\": {\"command\": \"ls\"}}"));
            case QWEN3_CODER ->
                new Samples(
                        List.of(
                                "<tool_call>\n<function=Bash>\n<parameter=command>\nls -la | "
                                        + "grep \"x\" < y\n</parameter>\n"
                                        + "<parameter=timeout>\n5000\n</parameter>\n</function>\n</tool_call>",
                                "<tool_call>\n<function=Read>\n<parameter=file_path>\n/tmp/"
                                        + "a\n</parameter>\n</function>\n</tool_call>\n"
                                        + "<tool_call>\n<function=TaskUpdate>\n<parameter=taskId>\n3\n</"
                                        + "parameter>\n<parameter=status>\n"
                                        + "completed\n</parameter>\n<parameter=addBlocks>\n[\"1\", "
                                        + "\"2\"]\n</parameter>\n</function>\n</tool_call>"),
                        List.of(
                                "<tool_call>\n<function=Bash>\n<parameter=timeout>\n5\n</"
                                        + "parameter>\n</function>\n</tool_call>",
                                "<tool_call>\n<function=Bash>\n<parameter=command>\nls\n</"
                                        + "parameter>\n<parameter=timeout>\nsoon\n"
                                        + "</parameter>\n</function>\n</tool_call>",
                                "<tool_call>\n<function=Write>\n</function>\n</tool_call>"));
            case LLAMA3_JSON ->
                new Samples(
                        List.of(
                                "{\"name\": \"Bash\", \"parameters\": {\"command\": \"ls\"}}",
                                "<|python_tag|>{\"name\": \"Edit\", \"parameters\": "
                                        + "{\"file_path\": \"/a\", \"old_string\": \"x\", "
                                        + "\"new_string\": \"y\", \"replace_all\": true}}; {\"name\": "
                                        + "\"Read\", \"parameters\": {\"file_path\": \"/a\"}}"),
                        List.of(
                                "{\"name\": \"Edit\", \"parameters\": {\"file_path\": \"/a\"}}",
                                "{\"name\": \"Bash\", \"arguments\": {\"command\": \"ls\"}}"));
            case MISTRAL ->
                new Samples(
                        List.of(
                                "[TOOL_CALLS]Bash[ARGS]{\"command\": \"ls\"}",
                                "[TOOL_CALLS]Read[ARGS]{\"file_path\": \"/a\", \"offset\": "
                                        + "10}[TOOL_CALLS]Bash[CALL_ID]a1b2c3d4e[ARGS]{\"command\":\"pwd\"}"),
                        List.of(
                                "[TOOL_CALLS]Read[ARGS]{\"file_path\": \"/a\", \"offset\": -1}",
                                "[TOOL_CALLS][{\"name\": \"Bash\", \"arguments\": {\"command\": \"ls\"}}]"));
            case HARMONY ->
                new Samples(
                        List.of(
                                "<|channel|>commentary to=functions.Bash "
                                        + "<|constrain|>json<|message|>{\"command\":\"ls\"}",
                                " to=functions.Read<|channel|>commentary json<|message|>{\"file_path\": \"/a\"}",
                                "<|start|>assistant<|channel|>analysis "
                                        + "to=functions.Edit<|message|>{\"file_path\": \"/a\", "
                                        + "\"old_string\": \"x\", \"new_string\": \"y\"}"),
                        List.of(
                                "<|channel|>commentary to=functions.Write <|constrain|>json<|message|>{}",
                                "<|channel|>final<|message|>hi"));
            case GLM ->
                new Samples(
                        List.of(
                                "<tool_call>Bash\n<arg_key>command</arg_key>\n<arg_value>ls -la\necho <b></arg_value>\n"
                                        + "<arg_key>run_in_background</arg_key>\n<arg_value>true</"
                                        + "arg_value>\n</tool_call>",
                                "<tool_call>Read<arg_key>file_path</arg_key><arg_value>/a</arg_value></tool_call>\n"
                                        + "<tool_call>TaskUpdate\n<arg_key>taskId</"
                                        + "arg_key>\n<arg_value>1</arg_value>\n<arg_key>metadata</arg_key>\n"
                                        + "<arg_value>{\"a\": 1}</arg_value>\n</tool_call>"),
                        List.of(
                                "<tool_call>Bash\n<arg_key>run_in_background</"
                                        + "arg_key>\n<arg_value>true</arg_value>\n</tool_call>",
                                "<tool_call>Bash\n<arg_key>command</arg_key>\n<arg_value>ls</"
                                        + "arg_value>\n<arg_key>run_in_background</arg_key>\n"
                                        + "<arg_value>yes</arg_value>\n</tool_call>"));
            case DEEPSEEK_V3 ->
                new Samples(
                        List.of(
                                "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>Bash<｜tool▁sep｜>"
                                        + "{\"command\": \"ls\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
                                "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>"
                                        + "Read\n```json\n{\"file_path\": \"/a\"}\n```"
                                        + "<｜tool▁call▁end｜>\n<｜tool▁call▁begin｜>Bash<｜tool▁sep｜>"
                                        + "{\"command\": \"ls\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>"),
                        List.of(
                                "<｜tool▁calls▁begin｜><｜tool▁calls▁end｜>",
                                "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>"
                                        + "Bash<｜tool▁sep｜>{}<｜tool▁call▁end｜><｜tool▁calls▁end｜>"));
            case KIMI_K2 ->
                new Samples(
                        List.of(
                                "<|tool_calls_section_begin|><|tool_call_begin|>"
                                        + "functions.Bash:0<|tool_call_argument_begin|>{\"command\": \"ls\"}"
                                        + "<|tool_call_end|><|tool_calls_section_end|>",
                                "<|tool_call_begin|>functions.Read:"
                                        + "1<|tool_call_argument_begin|>{\"file_path\": \"/a\"}<|tool_call_end|>"
                                        + "<|tool_call_begin|>functions.Bash:"
                                        + "2<|tool_call_argument_begin|>{\"command\": \"ls\"}<|tool_call_end|>"),
                        List.of("<|tool_calls_section_begin|><|tool_call_begin|>"
                                + "functions.Bash<|tool_call_argument_begin|>{\"command\": \"ls\"}"
                                + "<|tool_call_end|><|tool_calls_section_end|>"));
            case MINIMAX_M2 ->
                new Samples(
                        List.of(
                                "<minimax:tool_call>\n<invoke name=\"Bash\">\n<parameter "
                                        + "name=\"command\">ls</parameter>\n</invoke>\n</minimax:tool_call>",
                                "<minimax:tool_call>\n<invoke name=\"Read\">\n<parameter "
                                        + "name=\"file_path\">/a</parameter>\n"
                                        + "<parameter name=\"limit\">10</parameter>\n</invoke>\n<invoke "
                                        + "name=\"Bash\">\n"
                                        + "<parameter name=\"command\">ls</parameter>\n</invoke>\n</"
                                        + "minimax:tool_call>"),
                        List.of(
                                "<minimax:tool_call>\n<invoke name=\"Read\">\n<parameter "
                                        + "name=\"limit\">10</parameter>\n</invoke>\n</minimax:tool_call>",
                                "<minimax:tool_call>\n</minimax:tool_call>"));
            case DEEPSEEK_DSML ->
                new Samples(
                        List.of(
                                "<｜DSML｜tool_calls>\n<｜DSML｜invoke "
                                        + "name=\"Bash\">\n<｜DSML｜parameter name=\"command\" "
                                        + "string=\"true\">ls -la</｜DSML｜parameter>\n"
                                        + "<｜DSML｜parameter name=\"timeout\" "
                                        + "string=\"false\">5000</｜DSML｜parameter>\n</｜DSML｜invoke>\n</"
                                        + "｜DSML｜tool_calls>",
                                "<｜DSML｜function_calls>\n<｜DSML｜invoke "
                                        + "name=\"Read\">\n<｜DSML｜parameter name=\"file_path\" "
                                        + "string=\"true\">/a</｜DSML｜parameter>\n"
                                        + "</｜DSML｜invoke>\n<｜DSML｜invoke "
                                        + "name=\"Bash\">\n<｜DSML｜parameter name=\"command\" "
                                        + "string=\"true\">ls</｜DSML｜parameter>\n"
                                        + "</｜DSML｜invoke>\n</｜DSML｜function_calls>"),
                        List.of(
                                "<｜DSML｜tool_calls>\n<｜DSML｜invoke "
                                        + "name=\"Read\">\n<｜DSML｜parameter name=\"limit\" "
                                        + "string=\"false\">10</｜DSML｜parameter>\n"
                                        + "</｜DSML｜invoke>\n</｜DSML｜tool_calls>",
                                "<｜DSML｜tool_calls>\n</｜DSML｜tool_calls>"));
            default -> throw new IllegalArgumentException(syntax.name());
        };
    }

    static ToolCallGrammar grammar(ToolCallSyntax syntax, String forced) {
        return ToolCallGrammars.forTools(syntax, TOOLS, forced).orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(value = ToolCallSyntax.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void wellFormedCallsMatchAndMalformedOnesDoNot(ToolCallSyntax syntax) {
        ToolCallGrammar grammar = grammar(syntax, "");
        Gbnf g = new Gbnf(grammar.gbnf());
        assertThat(grammar.root()).isEqualTo("root");
        Samples s = samples(syntax);
        for (String good : s.good()) {
            assertThat(g.matches("root", good)).as(good).isTrue();
        }
        for (String bad : s.bad()) {
            assertThat(g.matches("root", bad)).as(bad).isFalse();
        }
        assertThat(g.matches("root", "")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = ToolCallSyntax.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void lazyGrammarIsTriggeredAtTheOpenerAfterFreeText(ToolCallSyntax syntax) {
        ToolCallGrammar lazy = grammar(syntax, null);
        assertThat(lazy.lazy()).isTrue();
        assertThat(lazy.triggerTokens()).isEmpty();
        assertThat(lazy.gbnf()).isEqualTo(grammar(syntax, "").gbnf());
        Gbnf g = new Gbnf(lazy.gbnf());
        for (String call : samples(syntax).good()) {
            // Llama 3 answers with the call alone; the others may write text first
            // (and harmony's recipient-first form starts the output)
            String before = syntax == ToolCallSyntax.LLAMA3_JSON && !call.startsWith("<|python_tag|>")
                    ? "\n"
                    : call.startsWith(" to=") ? "" : "Let me check that {\"name\": x} <tool> [ARGS].\n\n";
            String output = before + call;
            int start = triggerStart(lazy, output);
            assertThat(start).as(output).isGreaterThanOrEqualTo(before.length());
            assertThat(g.matches("root", output.substring(start))).as(output).isTrue();
            // while the opener is incomplete, nothing triggers
            if (!before.isEmpty()) {
                assertThat(triggerStart(lazy, before + "<")).isEqualTo(-1);
            }
        }
        assertThat(triggerStart(lazy, "Just an answer, no call.")).isEqualTo(-1);
    }

    /**
     * Where the grammar takes over, as llama.cpp decides it (llama-grammar.cpp): for each pattern in order, a
     * pattern anchored at both ends must match the whole output, any other is searched; the first that matches
     * gives the start of its group 1 (or of the match).
     */
    static int triggerStart(ToolCallGrammar grammar, String output) {
        for (String p : grammar.triggerPatterns()) {
            Matcher m = Pattern.compile(p).matcher(output);
            boolean full = p.startsWith("^") && p.endsWith("$");
            if (full ? m.matches() : m.find()) {
                return m.groupCount() >= 1 && m.start(1) >= 0 ? m.start(1) : m.start();
            }
        }
        return -1;
    }

    @Test
    void triggersAreSearchedNotMatchedAgainstTheWholeOutput() {
        for (ToolCallSyntax syntax : ToolCallSyntax.values()) {
            if (syntax != ToolCallSyntax.NONE) {
                for (String p : grammar(syntax, null).triggerPatterns()) {
                    assertThat(p.startsWith("^") && p.endsWith("$")).as(p).isFalse();
                    assertThat(p).as(p).contains("(").doesNotContain("[\\s\\S]");
                }
            }
        }
    }

    @Test
    void strictGrammarsHaveNoTriggers() {
        ToolCallGrammar any = grammar(ToolCallSyntax.HERMES, "");
        assertThat(any.lazy()).isFalse();
        assertThat(any.triggerPatterns()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = ToolCallSyntax.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void aForcedToolAllowsOnlyThatTool(ToolCallSyntax syntax) {
        ToolCallGrammar read = grammar(syntax, "Read");
        assertThat(read.lazy()).isFalse();
        Gbnf g = new Gbnf(read.gbnf());
        String bashFirst = samples(syntax).good().get(0);
        assertThat(g.matches("root", bashFirst)).as(bashFirst).isFalse();
        assertThat(read.gbnf()).doesNotContain("tool-bash");
    }

    @Test
    void noGrammarWithoutAFormatOrTools() {
        assertThat(ToolCallGrammars.forTools(ToolCallSyntax.NONE, TOOLS, null)).isEmpty();
        assertThat(ToolCallGrammars.forTools(ToolCallSyntax.HERMES, Map.of(), null))
                .isEmpty();
        assertThatThrownBy(() -> ToolCallGrammars.forTools(ToolCallSyntax.HERMES, TOOLS, "Write"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toolsWithoutPropertiesTakeAnyParameters() {
        Map<String, JsonNode> tools = Map.of("free", JsonSchemaGrammarTest.json("{\"type\":\"object\"}"));
        Gbnf qwen = new Gbnf(ToolCallGrammars.forTools(ToolCallSyntax.QWEN3_CODER, tools, "")
                .orElseThrow()
                .gbnf());
        assertThat(qwen.matches(
                        "root",
                        "<tool_call>\n<function=free>\n<parameter=x>\n1\n</parameter>\n</function>\n</tool_call>"))
                .isTrue();
        Gbnf hermes = new Gbnf(ToolCallGrammars.forTools(ToolCallSyntax.HERMES, tools, "")
                .orElseThrow()
                .gbnf());
        assertThat(hermes.matches("root", "<tool_call>{\"name\": \"free\", \"arguments\": {\"x\": [1]}}</tool_call>"))
                .isTrue();
    }

    @Test
    void escapedOpenersInPatterns() {
        assertThat(ToolCallGrammars.escape("[TOOL_CALLS]")).isEqualTo("\\[TOOL_CALLS\\]");
        assertThat(ToolCallGrammars.escape("<|python_tag|>")).isEqualTo("<\\|python_tag\\|>");
        assertThat(ToolCallGrammars.anywhere("X")).isEqualTo("(X)");
    }

    @Test
    void rawParametersWithListedValuesTakeOnlyThose() {
        String[] formats = {
            "<tool_call>\n<function=TaskUpdate>\n<parameter=taskId>\n1\n</"
                    + "parameter>\n<parameter=status>\n%s\n</parameter>\n</function>\n</tool_call>",
            "<tool_call>TaskUpdate\n<arg_key>taskId</arg_key>\n<arg_value>1</arg_value>\n<arg_key>status</"
                    + "arg_key>\n<arg_value>%s</arg_value>\n</tool_call>",
            "<minimax:tool_call>\n<invoke name=\"TaskUpdate\">\n<parameter "
                    + "name=\"taskId\">1</parameter>\n<parameter "
                    + "name=\"status\">%s</parameter>\n</invoke>\n</minimax:tool_call>"
        };
        ToolCallSyntax[] syntaxes = {ToolCallSyntax.QWEN3_CODER, ToolCallSyntax.GLM, ToolCallSyntax.MINIMAX_M2};
        for (int i = 0; i < formats.length; i++) {
            Gbnf g = new Gbnf(grammar(syntaxes[i], "TaskUpdate").gbnf());
            assertThat(g.matches("root", formats[i].formatted("in_progress")))
                    .as(syntaxes[i].name())
                    .isTrue();
            assertThat(g.matches("root", formats[i].formatted("deleted")))
                    .as(syntaxes[i].name())
                    .isTrue();
            assertThat(g.matches("root", formats[i].formatted("done")))
                    .as(syntaxes[i].name())
                    .isFalse();
            assertThat(g.matches("root", formats[i].formatted("\"deleted\"")))
                    .as(syntaxes[i].name())
                    .isFalse();
        }
    }
}
