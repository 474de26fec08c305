package dev.anyclaude.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.backend.launch.PinnedLlamaServer;
import dev.anyclaude.engine.GgufWriter;
import dev.anyclaude.engine.TinyLlamaSpec;
import dev.anyclaude.template.ChatTemplate;
import dev.anyclaude.template.TemplateTokens;
import dev.anyclaude.testing.LlamaServerProcess;
import dev.anyclaude.translate.OpenAiDialect;
import dev.anyclaude.translate.OpenAiRequestWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every chat template of the pinned llama.cpp release, rendered by {@link ChatTemplate} and by the real server's
 * {@code POST /apply-template} for the same OpenAI-shaped requests: the prompts must be the same bytes, and where the
 * server answers an error (the template raises) the Java renderer must fail too.
 */
class ChatTemplateGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The generated model's tokenizer: BOS "<s>" (added by the tokenizer), EOS "</s>". */
    private static final TemplateTokens TOKENS = new TemplateTokens("<s>", "</s>", true, false);
    /** Cases where the server and ChatTemplate both refused the request (the template raised). */
    private static int bothFailed;

    /** Templates whose rendering differs from the server's in at least one case, with the reason. */
    private static final Map<String, String> KNOWN_DIFFERENCES = Map.of(
            "CohereForAI-c4ai-command-r-plus-tool_use",
            "claude-code case: the server answers 400 'Unable to generate parser for this template' because its"
                    + " tool-call parser generator (common/chat-auto-parser) fails on its own probe renderings"
                    + " ('Function has no builtins' at line 10); the template itself renders the request, and so"
                    + " does ChatTemplate, which does not model the parser generator");

    @Test
    void rendersEveryPinnedTemplateAsTheServerDoes() throws Exception {
        LlamaServerProcess.binary();
        Map<String, JsonNode> requests = requests();
        Map<String, String> differences = new TreeMap<>();
        List<Path> templates;
        try (Stream<Path> files = Files.list(PinnedLlamaServer.templates())) {
            templates =
                    files.filter(p -> p.toString().endsWith(".jinja")).sorted().toList();
        }
        assertThat(templates).hasSizeGreaterThanOrEqualTo(70);
        int identical = 0;
        for (Path file : templates) {
            String name = file.getFileName().toString().replace(".jinja", "");
            String difference = compare(name, Files.readString(file), requests);
            if (difference == null) {
                identical++;
            } else {
                differences.put(name, difference);
            }
        }
        System.out.println("chat templates identical to llama-server: " + identical + "/" + templates.size() + " ("
                + requests.size() + " requests each; " + bothFailed + " template/request pairs raised on both sides)");
        differences.forEach((n, d) -> System.out.println("DIFF " + n + ": " + d));
        assertThat(differences.keySet()).containsExactlyInAnyOrderElementsOf(KNOWN_DIFFERENCES.keySet());
    }

    /** The first case where Java and the server disagree, or null when they agree on all. */
    private static String compare(String name, String source, Map<String, JsonNode> requests) throws Exception {
        Path model =
                Path.of("target", "test-models", "golden-" + name + ".gguf").toAbsolutePath();
        if (!Files.isRegularFile(model)) {
            Files.createDirectories(model.getParent());
            GgufWriter.writeTinyLlama(new TinyLlamaSpec(64, 1, 2, 1, 128, 512, 1), source, model);
        }
        ChatTemplate template;
        try {
            template = ChatTemplate.parse(source, InstantSource.system());
        } catch (RuntimeException e) {
            return "parse: " + e.getMessage();
        }
        try (LlamaServerProcess server = LlamaServerProcess.start(model, List.of("-c", "512", "-np", "1"))) {
            for (Map.Entry<String, JsonNode> request : requests.entrySet()) {
                HttpResponse<String> r = server.post("/apply-template", JSON.writeValueAsString(request.getValue()));
                String expected = r.statusCode() == 200
                        ? JSON.readTree(r.body()).path("prompt").asText()
                        : null;
                String actual;
                String failure = null;
                try {
                    actual = template.apply(request.getValue(), TOKENS);
                } catch (RuntimeException e) {
                    actual = null;
                    failure = e.toString();
                }
                if (expected == null && actual == null) {
                    bothFailed++;
                }
                if (expected == null && actual != null) {
                    return request.getKey() + ": server failed (" + r.body() + "), Java rendered";
                }
                if (expected != null && actual == null) {
                    return request.getKey() + ": Java failed: " + failure;
                }
                if (expected != null && !expected.equals(actual)) {
                    Path dir = Path.of("target", "template-diffs", name);
                    Files.createDirectories(dir);
                    Files.writeString(dir.resolve(request.getKey() + ".expected.txt"), expected);
                    Files.writeString(dir.resolve(request.getKey() + ".actual.txt"), actual);
                    return request.getKey() + ": differs at " + firstDifference(expected, actual);
                }
            }
        }
        return null;
    }

    private static String firstDifference(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i + ": server «" + excerpt(a, i) + "» java «" + excerpt(b, i) + "»";
    }

    private static String excerpt(String s, int at) {
        return s.substring(Math.max(0, at - 20), Math.min(s.length(), at + 40)).replace("\n", "\\n");
    }

    /** The requests each template renders, by case name. */
    static Map<String, JsonNode> requests() throws Exception {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        ObjectNode systemUser = (ObjectNode) JSON.readTree("""
                {"messages":[{"role":"system","content":"You are a helpful assistant."},
                {"role":"user","content":"Hello, who are you?"}]}""");
        out.put("system-user", systemUser);
        ObjectNode conversation = claudeCodeConversation();
        out.put("claude-code", conversation);
        ObjectNode noLateSystem = conversation.deepCopy();
        ArrayNode kept = JSON.createArrayNode();
        ArrayNode messages = (ArrayNode) noLateSystem.path("messages");
        for (int i = 0; i < messages.size(); i++) {
            if (i == 0 || !messages.get(i).path("role").asText().equals("system")) {
                kept.add(messages.get(i));
            }
        }
        noLateSystem.set("messages", kept);
        out.put("claude-code-no-late-system", noLateSystem);
        for (boolean thinking : new boolean[] {false, true}) {
            ObjectNode r = systemUser.deepCopy();
            r.putObject("chat_template_kwargs").put("enable_thinking", thinking);
            out.put("enable-thinking-" + thinking, r);
            ObjectNode c = noLateSystem.deepCopy();
            c.putObject("chat_template_kwargs").put("enable_thinking", thinking);
            out.put("claude-code-enable-thinking-" + thinking, c);
        }
        ObjectNode noPrompt = (ObjectNode) JSON.readTree("""
                {"add_generation_prompt":false,"messages":[{"role":"user","content":"Hi"},
                {"role":"assistant","content":"Hello! How can I help?"},{"role":"user","content":"Thanks"}]}""");
        out.put("no-generation-prompt", noPrompt);
        ObjectNode effort = systemUser.deepCopy();
        effort.put("reasoning_effort", "high");
        out.put("reasoning-effort-high", effort);
        ObjectNode reasoning = (ObjectNode) JSON.readTree("""
                {"messages":[{"role":"user","content":"What is 2+2?"},
                {"role":"assistant","content":"4","reasoning_content":"Adding two and two gives four."},
                {"role":"user","content":"And 3+3?"}]}""");
        out.put("assistant-reasoning", reasoning);
        return out;
    }

    /**
     * Claude Code 2.1.332's third request of a tool loop (system prompt, 12 tools, two tool calls and results) as the
     * gateway sends it to llama.cpp, then an assistant answer and a new user turn.
     */
    private static ObjectNode claudeCodeConversation() throws Exception {
        Path body = Path.of("src/test/resources/claude-code/2.1.332/tool-loop/03-POST-v1_messages.body.json");
        var request = new RequestParser(JSON).parse(Files.readAllBytes(body));
        ObjectNode openAi =
                (ObjectNode) JSON.readTree(new OpenAiRequestWriter(JSON).write(request, OpenAiDialect.llamaCpp()));
        ArrayNode messages = (ArrayNode) openAi.path("messages");
        messages.addObject().put("role", "assistant").put("content", "Both files are read; the build passes.");
        messages.addObject().put("role", "user").put("content", "Now summarize what you did in one line.");
        ObjectNode out = JSON.createObjectNode();
        out.set("messages", messages);
        out.set("tools", openAi.path("tools"));
        return out;
    }
}
