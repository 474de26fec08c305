package dev.anyclaude.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.Gateway;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.ScriptedLlamaServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A real gateway on port 0 in front of a {@link ScriptedLlamaServer}, and conversations to drive it. */
final class LlamaSlotsGateway implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final ScriptedLlamaServer llama;
    final Gateway gateway;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    LlamaSlotsGateway(int slots, Path saveDir, Consumer<ServeOptions> tweak) throws IOException {
        this(slots, saveDir, tweak, server -> {});
    }

    /** {@code before} prepares the server before the gateway starts (and probes it). */
    LlamaSlotsGateway(int slots, Path saveDir, Consumer<ServeOptions> tweak, Consumer<ScriptedLlamaServer> before)
            throws IOException {
        llama = new ScriptedLlamaServer(slots, saveDir);
        before.accept(llama);
        ServeOptions o = GatewayFixture.options(llama.url());
        o.slotSaveDir = saveDir;
        o.slotSteering = "pin"; // these tests are about the pinning machinery
        tweak.accept(o);
        Gateway g;
        try {
            g = Gateway.start(o);
        } catch (RuntimeException e) {
            llama.close();
            throw e;
        }
        gateway = g;
    }

    /** A conversation of one session with one agent (system prompt + one tool); each turn extends it. */
    final class Conversation {
        final String session;
        final String system;
        final String tool;
        final List<String[]> history = new ArrayList<>();
        int turn;

        Conversation(String session, String system, String tool) {
            this.session = session;
            this.system = system;
            this.tool = tool;
        }

        /** Sends the next user turn; returns the HTTP status. On success the answer joins the history. */
        int send() throws IOException, InterruptedException {
            HttpResponse<String> r = post(body("turn " + (++turn) + " of " + session));
            if (r.statusCode() == 200) {
                history.add(new String[] {"user", "turn " + turn + " of " + session});
                history.add(new String[] {"assistant", "ok"});
            }
            return r.statusCode();
        }

        HttpResponse<String> post(String body) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages"))
                    .timeout(Duration.ofSeconds(30))
                    .header("content-type", "application/json")
                    .header("anthropic-version", "2023-06-01")
                    .header("x-claude-code-session-id", session)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }

        String body(String userText) {
            ObjectNode b = JSON.createObjectNode();
            b.put("model", "claude-sonnet-4-6").put("max_tokens", 64).put("stream", true);
            b.put("system", system);
            ObjectNode t = b.putArray("tools").addObject();
            t.put("name", tool).put("description", "the " + tool + " tool");
            t.putObject("input_schema").put("type", "object");
            ArrayNode m = b.putArray("messages");
            for (String[] h : history) {
                m.addObject().put("role", h[0]).put("content", h[1]);
            }
            m.addObject().put("role", "user").put("content", userText);
            return b.toString();
        }
    }

    Conversation conversation(String session, String agent) {
        return new Conversation(session, "You are agent " + agent + ". " + "Be brief. ".repeat(40), agent + "_tool");
    }

    JsonNode stats() throws IOException, InterruptedException {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/cache/stats")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("l1");
    }

    JsonNode clear() throws IOException, InterruptedException {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/cache")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Polls the L1 stats until {@code done} holds (bounded: 10 s); returns the last stats. */
    JsonNode statsWhen(Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode s = stats();
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            s = stats();
        }
        return s;
    }

    /** Waits (bounded: 10 s) until the warm queue is empty and nothing runs. */
    JsonNode warmsSettled() throws Exception {
        return statsWhen(s -> s.path("warm").path("queued").asInt() == 0 && !s.path("warm").path("running").asBoolean());
    }

    static void until(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        gateway.close();
        llama.close();
        http.close();
    }
}
