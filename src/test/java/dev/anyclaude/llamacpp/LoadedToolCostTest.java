package dev.anyclaude.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.LlamaServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a tool loaded by Claude Code 2.1.332's ToolSearch costs on the real llama.cpp server (Qwen3-Coder template,
 * which renders the tool list in the first system message), read from the server's own prompt-token counter. The
 * request shapes are the captured ones (tools in name order, a {@code DeferredToolPlaceholder} with {@code
 * defer_loading}, the loaded tool added third by name with {@code defer_loading}, a {@code tool_reference} result),
 * with smaller tools so that the tiny byte-vocabulary model prefills them in a second.
 */
class LoadedToolCostTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> TOOLS = List.of("Agent", "Bash", "Edit", "Read", "Skill", "ToolSearch", "Write");
    private static LlamaServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = LlamaServerProcess.start(InlineSystemTest.model("Qwen3-Coder"), List.of("-c", "16384", "-np", "1"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static ObjectNode tool(ArrayNode tools, String name, boolean deferred) {
        ObjectNode t = tools.addObject()
                .put("name", name)
                .put("description", name + " does its job. ".repeat(12).strip());
        ObjectNode schema = t.putObject("input_schema").put("type", "object");
        schema.putObject("properties")
                .putObject("arg")
                .put("type", "string")
                .put("description", "what " + name + " acts on");
        if (deferred) {
            t.put("defer_loading", true);
        }
        return t;
    }

    /** Turn 1 (before ToolSearch ran) or turn 2 (CronList loaded, the tool_reference result in the conversation). */
    private static ObjectNode turn(boolean loaded) {
        ObjectNode r = JSON.createObjectNode().put("model", "claude-opus-5-5").put("max_tokens", 1);
        r.put("system", "You are Claude Code. " + "Work carefully and report what you did. ".repeat(20));
        ArrayNode tools = r.putArray("tools");
        for (String name : TOOLS) {
            if (loaded && name.equals("Edit")) {
                tool(tools, "CronList", true); // where 2.1.332 puts it: in name order
            }
            if (name.equals("Write")) {
                tool(tools, "DeferredToolPlaceholder", true);
            }
            tool(tools, name, false);
        }
        ArrayNode messages = r.putArray("messages");
        messages.addObject().put("role", "user").put("content", "List the scheduled cron jobs.");
        ObjectNode call = messages.addObject()
                .put("role", "assistant")
                .putArray("content")
                .addObject();
        call.put("type", "tool_use")
                .put("id", "toolu_1")
                .put("name", "ToolSearch")
                .putObject("input")
                .put("query", "select:CronList");
        ObjectNode result =
                messages.addObject().put("role", "user").putArray("content").addObject();
        result.put("type", "tool_result")
                .put("tool_use_id", "toolu_1")
                .putArray("content")
                .addObject()
                .put("type", "tool_reference")
                .put("tool_name", "CronList");
        if (!loaded) {
            // turn 1 ends before the result: the request that asked for ToolSearch
            messages.remove(2);
            messages.remove(1);
        }
        return r;
    }

    private static long processed(Gateway g, JsonNode body) throws Exception {
        long before = server.promptTokensProcessed();
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(g.url() + "/v1/messages"))
                        .timeout(Duration.ofSeconds(120))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return server.promptTokensProcessed() - before;
    }

    private static long turnTwoCost(boolean normalize) throws Exception {
        ServeOptions o = GatewayFixture.options(server.url());
        o.upstreamTimeoutSeconds = 120;
        o.responseCache = "off";
        o.noNormalize = !normalize;
        try (Gateway g = Gateway.start(o.settings())) {
            server.post("/slots/0?action=erase", "{}");
            processed(g, turn(false));
            return processed(g, turn(true));
        }
    }

    @Test
    void aLoadedToolReprefillsOnlyFromTheEndOfTheToolListWhenToolsLoadedOnDemandGoLast() throws Exception {
        long inClientOrder = turnTwoCost(false);
        long deferredLast = turnTwoCost(true);
        // both re-prefill the conversation after the tool list; in the client's order also all but two tools
        assertThat(deferredLast).isLessThan(inClientOrder * 2 / 3);
        System.out.printf(
                "turn 2 after ToolSearch loaded a tool: %d prompt tokens processed in the client's order, "
                        + "%d with deferred tools last%n",
                inClientOrder, deferredLast);
    }
}
