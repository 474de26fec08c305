package dev.anyclaude.toolcall;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** However an output is cut into pieces, the parser reports the same events as for the output fed whole. */
class RandomPiecesPropertyTest {
    record Case(ToolCallSyntax syntax, ParserOptions options, String output, boolean truncated) {}

    record Split(Case c, List<Integer> cuts) {}

    static final List<Case> CASES = new ArrayList<>();

    static void add(ToolCallSyntax syntax, ParserOptions options, String output) {
        CASES.add(new Case(syntax, options, output, false));
        CASES.add(new Case(syntax, options, output, true));
    }

    static {
        var p = ParserHarness.PLAIN;
        var t = ParserHarness.THINKING;
        add(ToolCallSyntax.NONE, p, "<think>a</think>\nHello <tool_call>{}</tool_call>");
        add(
                ToolCallSyntax.HERMES,
                p,
                "Hello, world!\nWhat's up?" + HermesParserTest.CALL + "\n " + HermesParserTest.CALL);
        add(ToolCallSyntax.HERMES, t, "I'm\nthinking</think>\n" + HermesParserTest.CALL + " bye <tool_call>{\"na");
        add(ToolCallSyntax.HERMES, p, "a <tool_ b <tool_call> c <tool_call>{\"name\": 1}</tool_call> <");
        add(
                ToolCallSyntax.QWEN3_CODER,
                p,
                "Let me.\n" + Qwen3CoderParserTest.CALL + "\n" + Qwen3CoderParserTest.CALL_WITH_OPT);
        add(
                ToolCallSyntax.QWEN3_CODER,
                t,
                "hm</think>" + Qwen3CoderParserTest.CALL.substring(12) + "\n<tool_call>\n<function=x>");
        add(ToolCallSyntax.LLAMA3_JSON, p, "Sure {\"a\": 1} " + Llama3JsonParserTest.CALL);
        add(
                ToolCallSyntax.LLAMA3_JSON,
                p,
                "<|python_tag|>" + Llama3JsonParserTest.CALL + "{\"name\": \"nope\", \"x\": {");
        add(
                ToolCallSyntax.MISTRAL,
                p,
                "[THINK]a [TOOL_CALLS]b[/THINK]Hi [TOOL_CALLS]special_function[CALL_ID]1[ARGS]{\"arg1\": 1}"
                        + "[TOOL_CALLS][{\"name\": \"special_function\", \"arguments\": "
                        + "{\"arg1\": 1}}] [TOOL_CALLS]x[ARGS]{\"a");
        add(
                ToolCallSyntax.HARMONY,
                p,
                HarmonyParserTest.THOUGHTS_AND_ANSWER + "<|end|><|start|>assistant<|channel|>commentary "
                        + "to=functions.special_function <|constrain|>json<|message|>{\"arg1\": 1}<|call|>"
                        + "<|start|>assistant to=python<|channel|>commentary<|message|>x<|end|>"
                        + " to=functions.special_function<|channel|>analysis<|message|>{\"arg1\": [");
        add(
                ToolCallSyntax.GLM,
                t,
                "I'm\nthinking</think>Hi" + GlmParserTest.TWO_CALLS + "\n<tool_call> x <tool_call>get_time<arg_key>c");
        add(
                ToolCallSyntax.DEEPSEEK_V3,
                t,
                DeepSeekParserTest.V31_TWO_CALLS + "\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>x<｜tool▁sep｜>{");
        add(
                ToolCallSyntax.DEEPSEEK_DSML,
                t,
                DeepSeekParserTest.DSML_TWO_CALLS + " <｜DSML｜function_calls>\n<｜DSML｜invoke name=\"a\">");
        add(
                ToolCallSyntax.KIMI_K2,
                p,
                "<think> a </think> b" + KimiK2ParserTest.THREE_CALLS + KimiK2ParserTest.CALL.substring(0, 60));
        add(
                ToolCallSyntax.MINIMAX_M2,
                t,
                "x\n</think>\n" + MiniMaxM2ParserTest.TWO_CALLS + "\n<minimax:tool_call>\n<invoke name=\"q\">");
    }

    @Provide
    Arbitrary<Split> splits() {
        return Arbitraries.of(CASES)
                .flatMap(c -> Combinators.combine(
                                Arbitraries.just(c),
                                Arbitraries.integers()
                                        .between(0, c.output().length())
                                        .list()
                                        .ofMaxSize(12))
                        .as(Split::new));
    }

    @Property(tries = 1500)
    void piecesDoNotChangeWhatIsReported(@ForAll("splits") Split split) {
        Case c = split.c();
        List<String> pieces = new ArrayList<>();
        int from = 0;
        for (int cut : new TreeSet<>(split.cuts())) {
            pieces.add(c.output().substring(from, cut));
            from = cut;
        }
        pieces.add(c.output().substring(from));
        assertThat(ParserHarness.events(c.syntax(), c.options(), pieces, c.truncated()))
                .isEqualTo(ParserHarness.whole(c.syntax(), c.options(), c.output(), c.truncated()));
    }

    @Property(tries = 1)
    void everyCaseJoinsIntoItsOutput() {
        for (Case c : CASES) {
            List<String> events = ParserHarness.whole(c.syntax(), c.options(), c.output(), c.truncated());
            ParserHarness.items(events);
        }
    }
}
