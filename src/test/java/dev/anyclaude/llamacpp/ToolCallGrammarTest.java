package dev.anyclaude.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.testing.LlamaServerProcess;
import dev.anyclaude.toolcall.ToolCallSyntax;
import dev.anyclaude.toolcall.grammar.ClaudeCodeTools;
import dev.anyclaude.toolcall.grammar.Gbnf;
import dev.anyclaude.toolcall.grammar.JsonSchemaGrammar;
import dev.anyclaude.toolcall.grammar.ToolCallGrammar;
import dev.anyclaude.toolcall.grammar.ToolCallGrammars;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The grammars of {@code dev.anyclaude.toolcall.grammar}, built from real Claude Code tool schemas (Bash, Read,
 * Edit, TaskUpdate), given to the pinned llama.cpp server's {@code /completion}: the server parses them (an
 * invalid grammar is refused), samples under them, and what it writes starts with the format's call opener and
 * is a prefix of a sentence of the grammar (checked by the test-side recognizer {@link Gbnf}).
 */
class ToolCallGrammarTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, JsonNode> TOOLS = ClaudeCodeTools.standard();
    private static LlamaServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = LlamaServerProcess.start("-c", "4096", "-np", "1");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** What a strict grammar's output may start with, per format. */
    static List<String> openers(ToolCallSyntax syntax) {
        return switch (syntax) {
            case HERMES, QWEN3_CODER, GLM -> List.of("<tool_call>");
            case LLAMA3_JSON -> List.of("{", "<|python_tag|>");
            case MISTRAL -> List.of("[TOOL_CALLS]");
            case HARMONY -> List.of("<|channel|>", "<|start|>assistant", " to=functions.", "to=functions.");
            case DEEPSEEK_V3 -> List.of("<｜tool▁calls▁begin｜>");
            case KIMI_K2 -> List.of("<|tool_calls_section_begin|>", "<|tool_call_begin|>");
            case MINIMAX_M2 -> List.of("<minimax:tool_call>");
            case DEEPSEEK_DSML -> List.of("<｜DSML｜tool_calls>", "<｜DSML｜function_calls>");
            default -> throw new IllegalArgumentException(syntax.name());
        };
    }

    /** {@code /completion} under {@code grammar}: the response, checked to be a success. */
    static String complete(String grammar, int nPredict) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("prompt", "Call a tool.\n");
        body.put("grammar", grammar);
        body.put("n_predict", nPredict);
        body.put("seed", 7);
        body.put("temperature", 1.0);
        HttpResponse<String> r = server.post("/completion", JSON.writeValueAsString(body));
        assertThat(r.statusCode()).as(r.body() + "\n" + server.logTail()).isEqualTo(200);
        JsonNode json = JSON.readTree(r.body());
        assertThat(json.has("error")).as(r.body()).isFalse();
        return json.path("content").asText();
    }

    @ParameterizedTest
    @EnumSource(value = ToolCallSyntax.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void theServerSamplesUnderEachFormatsStrictGrammar(ToolCallSyntax syntax) throws Exception {
        for (String forced : new String[] {"", "TaskUpdate"}) {
            ToolCallGrammar grammar =
                    ToolCallGrammars.forTools(syntax, TOOLS, forced).orElseThrow();
            assertThat(grammar.lazy()).isFalse();
            String out = complete(grammar.gbnf(), 64);
            assertThat(openers(syntax))
                    .as(out)
                    .anySatisfy(o -> assertThat(out).startsWith(o.substring(0, Math.min(o.length(), out.length()))));
            assertThat(out)
                    .as("output too short to show the opener")
                    .hasSizeGreaterThanOrEqualTo(openers(syntax).stream()
                            .mapToInt(String::length)
                            .min()
                            .orElseThrow());
            assertThat(new Gbnf(grammar.gbnf()).prefixOk("root", out)).as(out).isTrue();
        }
    }

    @Test
    void theServerAcceptsTheLazyGrammarsAndTheirTriggerPatterns() throws Exception {
        for (ToolCallSyntax syntax : ToolCallSyntax.values()) {
            if (syntax == ToolCallSyntax.NONE) {
                continue;
            }
            ToolCallGrammar lazy =
                    ToolCallGrammars.forTools(syntax, TOOLS, null).orElseThrow();
            assertThat(lazy.lazy()).isTrue();
            // the patterns go to llama.cpp's std::regex as they are (trigger type 2 = pattern): a pattern it
            // cannot compile fails the request
            ObjectNode body = JSON.createObjectNode();
            body.put("prompt", "Answer or call a tool.\n");
            body.put("grammar", lazy.gbnf());
            body.put("grammar_lazy", true);
            var triggers = body.putArray("grammar_triggers");
            for (String p : lazy.triggerPatterns()) {
                triggers.addObject().put("type", 2).put("value", p);
            }
            body.put("n_predict", 48);
            body.put("seed", 3);
            HttpResponse<String> r = server.post("/completion", JSON.writeValueAsString(body));
            assertThat(r.statusCode())
                    .as(syntax + ": " + r.body() + "\n" + server.logTail())
                    .isEqualTo(200);
            JsonNode json = JSON.readTree(r.body());
            assertThat(json.has("error")).as(r.body()).isFalse();
            assertThat(json.path("generation_settings").path("grammar_lazy").asBoolean())
                    .as(r.body())
                    .isTrue();
        }
    }

    @Test
    void jsonSchemaGrammarOfTaskUpdateIsAcceptedAndFollowed() throws Exception {
        String gbnf = JsonSchemaGrammar.gbnf(TOOLS.get("TaskUpdate"));
        String out = complete(gbnf, 160);
        assertThat(out).startsWith("{");
        assertThat(new Gbnf(gbnf).prefixOk("root", out)).as(out).isTrue();
        for (String tool : TOOLS.keySet()) {
            String g = JsonSchemaGrammar.gbnf(TOOLS.get(tool));
            String o = complete(g, 96);
            assertThat(new Gbnf(g).prefixOk("root", o)).as(tool + ": " + o).isTrue();
        }
    }

    @Test
    void anInvalidGrammarIsRefused() throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("prompt", "x");
        body.put("grammar", "root ::= undefined-rule");
        body.put("n_predict", 4);
        HttpResponse<String> r = server.post("/completion", JSON.writeValueAsString(body));
        assertThat(r.statusCode()).as(r.body()).isNotEqualTo(200);
    }

    @Test
    void anInvalidTriggerPatternIsRefused() throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("prompt", "x");
        body.put("grammar", "root ::= \"a\"");
        body.put("grammar_lazy", true);
        body.putArray("grammar_triggers").addObject().put("type", 2).put("value", "^[\\s\\S]*?((?<x>a)[\\s\\S]*$");
        body.put("n_predict", 4);
        HttpResponse<String> r = server.post("/completion", JSON.writeValueAsString(body));
        assertThat(r.statusCode()).as(r.body()).isNotEqualTo(200);
        assertThat(server.alive()).isTrue();
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
    }

    /**
     * A model that really calls Bash in the Qwen3-Coder format ({@link ToolCallsTest#model()}: after a newline it
     * writes {@code <tool_call>\n<function=Bash>\n<parameter=command>\n...} in three whole-string tokens), so the
     * lazy trigger really fires in the engine.
     */
    @Test
    void lazyAndStrictGrammarsOnAModelThatCallsATool() throws Exception {
        try (LlamaServerProcess caller =
                LlamaServerProcess.start(ToolCallsTest.model(), List.of("-c", "4096", "-np", "1"))) {
            JsonNode free = completeOn(caller, null, false, List.of());
            String call = free.path("content").asText();
            assertThat(call)
                    .startsWith("<tool_call>\n<function=Bash>")
                    .contains(ToolCallsTest.COMMAND)
                    .endsWith("</tool_call>");

            // lazy, all tools: triggered at <tool_call>, the model's own call satisfies the grammar unchanged
            ToolCallGrammar lazy = ToolCallGrammars.forTools(ToolCallSyntax.QWEN3_CODER, TOOLS, null)
                    .orElseThrow();
            JsonNode lazyOut = completeOn(caller, lazy.gbnf(), true, lazy.triggerPatterns());
            assertThat(lazyOut.path("content").asText()).as(lazyOut.toString()).isEqualTo(call);
            assertThat(new Gbnf(lazy.gbnf()).matches("root", call)).isTrue();

            // strict, Read forced: the grammar steers the model from the first token to a Read call
            ToolCallGrammar read = ToolCallGrammars.forTools(ToolCallSyntax.QWEN3_CODER, TOOLS, "Read")
                    .orElseThrow();
            JsonNode strict = completeOn(caller, read.gbnf(), false, List.of());
            String forced = strict.path("content").asText();
            assertThat(forced)
                    .as(strict.toString())
                    .startsWith("<tool_call>")
                    .contains("<function=Read>")
                    .doesNotContain("Bash");
            assertThat(new Gbnf(read.gbnf()).prefixOk("root", forced)).isTrue();

            // lazy, only Read offered: the grammar takes over at the opener, inside the model's one token that
            // runs on into "<function=Bash>", and the engine refuses that token (llama.cpp's behaviour for a
            // token that crosses the trigger and breaks the grammar)
            ToolCallGrammar lazyRead = ToolCallGrammars.forTools(
                            ToolCallSyntax.QWEN3_CODER, Map.of("Read", TOOLS.get("Read")), null)
                    .orElseThrow();
            JsonNode refused = completeOn(caller, lazyRead.gbnf(), true, lazyRead.triggerPatterns());
            assertThat(refused.path("error").path("message").asText())
                    .as(refused.toString())
                    .contains("grammar")
                    .contains("<function=Bash>");
        }
    }

    static JsonNode completeOn(LlamaServerProcess s, String grammar, boolean lazy, List<String> patterns)
            throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("prompt", "List the files.\n");
        body.put("n_predict", 64);
        body.put("temperature", 0);
        if (grammar != null) {
            body.put("grammar", grammar);
        }
        if (lazy) {
            body.put("grammar_lazy", true);
            var triggers = body.putArray("grammar_triggers");
            for (String p : patterns) {
                triggers.addObject().put("type", 2).put("value", p);
            }
        }
        return JSON.readTree(
                s.post("/completion", JSON.writeValueAsString(body)).body());
    }
}
