package dev.anyclaude.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the Anthropic API that Claude Code is pointed at while its traffic is recorded: it keeps every
 * request (method, URL, headers, body) and answers {@code POST /v1/messages} from a small script, so that a run
 * goes through a tool loop, a sub-agent, a title or auto mode's safeguards as the scenario asks. Its answers are
 * well-formed Anthropic messages (JSON or SSE); what matters is what Claude Code sends.
 *
 * <p>How it answers a request with tools: while the conversation holds fewer tool results than the script has
 * tool calls, the next scripted call (text, then one {@code tool_use}); then a closing text. A request that
 * carries {@code safeguards} gets {@code safeguard_results} for each of its answer's tool calls, "not flagged",
 * in the final {@code message_delta} (the shape a compatible gateway sends). A request without tools gets a
 * short text, or a title when it asks for JSON output.
 */
final class RecordingApi implements AutoCloseable {

    /** One recorded request. */
    record Recorded(
            int seq,
            Instant time,
            String method,
            String url,
            Map<String, String> headers,
            byte[] body,
            int replyStatus,
            JsonNode reply) {}

    /** One scripted tool call: the text before it, the tool, its input. */
    record Call(String text, String tool, ObjectNode input) {}

    private final ObjectMapper json;
    private final HttpServer server;
    private final List<Recorded> recorded = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger seq = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<String, List<Call>> scripts;

    /**
     * @param scripts tool-call scripts by the conversation they answer: the key is a substring of the first user
     *     message's text (the first matching key wins; "" matches everything)
     */
    RecordingApi(ObjectMapper json, Map<String, List<Call>> scripts) throws IOException {
        this.json = json;
        this.scripts = new LinkedHashMap<>(scripts);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int port() {
        return server.getAddress().getPort();
    }

    List<Recorded> recorded() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            Map<String, String> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            int n = seq.incrementAndGet();
            Instant at = Instant.now();
            if (method.equals("POST") && path.equals("/v1/messages")) {
                JsonNode request = json.readTree(body);
                ObjectNode message = answer(request);
                recorded.add(new Recorded(n, at, method, ex.getRequestURI().toString(), headers, body, 200, message));
                if (request.path("stream").asBoolean(false)) {
                    stream(ex, message);
                } else {
                    send(ex, 200, json.writeValueAsBytes(message));
                }
            } else if (method.equals("POST") && path.equals("/v1/messages/count_tokens")) {
                ObjectNode count = json.createObjectNode().put("input_tokens", Math.max(1, body.length / 4));
                recorded.add(new Recorded(n, at, method, ex.getRequestURI().toString(), headers, body, 200, count));
                send(ex, 200, json.writeValueAsBytes(count));
            } else {
                recorded.add(new Recorded(n, at, method, ex.getRequestURI().toString(), headers, body, 404, null));
                if (method.equals("HEAD")) {
                    ex.sendResponseHeaders(404, -1);
                } else {
                    send(
                            ex,
                            404,
                            "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"not found\"}}"
                                    .getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** The message that answers {@code request}, by the script. */
    private ObjectNode answer(JsonNode request) {
        int id = ids.incrementAndGet();
        ObjectNode m = json.createObjectNode();
        m.put("id", String.format(Locale.ROOT, "msg_capture_%04d", id))
                .put("type", "message")
                .put("role", "assistant")
                .put("model", request.path("model").asText());
        ArrayNode content = m.putArray("content");
        JsonNode tools = request.path("tools");
        String stop = "end_turn";
        if (!tools.isArray() || tools.isEmpty()) {
            boolean wantsJson = request.path("output_config").path("format").isObject();
            content.addObject()
                    .put("type", "text")
                    .put("text", wantsJson ? "{\"title\":\"Capture session\"}" : "Capture answer.");
        } else {
            List<Call> script = script(request);
            int done = toolResults(request);
            if (done < script.size()) {
                Call call = script.get(done);
                if (call.text() != null) {
                    content.addObject().put("type", "text").put("text", call.text());
                }
                ObjectNode use = content.addObject()
                        .put("type", "tool_use")
                        .put("id", String.format(Locale.ROOT, "toolu_capture_%04d_0", id))
                        .put("name", call.tool());
                use.set("input", call.input());
                stop = "tool_use";
            } else {
                content.addObject().put("type", "text").put("text", "Done (saw " + done + " tool results).");
            }
        }
        m.put("stop_reason", stop).putNull("stop_sequence");
        m.putObject("usage")
                .put("input_tokens", 26)
                .put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", 0)
                .put("output_tokens", 12);
        if (request.path("safeguards").isArray() && !request.path("safeguards").isEmpty()) {
            m.set("safeguard_results", safeguardResults(content));
        }
        return m;
    }

    /** Auto mode's verdicts: every tool call of the answer judged and not flagged. */
    private ArrayNode safeguardResults(ArrayNode content) {
        ArrayNode results = json.createArrayNode();
        ObjectNode r = results.addObject().put("type", "dangerous_tool_use");
        ObjectNode status = r.putObject("status").put("type", "available");
        ObjectNode uses = status.putObject("tool_uses");
        for (JsonNode b : content) {
            if ("tool_use".equals(b.path("type").asText())) {
                uses.putObject(b.path("id").asText()).put("type", "evaluated").put("outcome", "not_flagged");
            }
        }
        return results;
    }

    private List<Call> script(JsonNode request) {
        String first = firstUserText(request);
        for (Map.Entry<String, List<Call>> e : scripts.entrySet()) {
            if (first.contains(e.getKey())) {
                return e.getValue();
            }
        }
        return List.of();
    }

    private static String firstUserText(JsonNode request) {
        for (JsonNode m : request.path("messages")) {
            if ("user".equals(m.path("role").asText())) {
                JsonNode c = m.path("content");
                if (c.isTextual()) {
                    return c.asText();
                }
                StringBuilder sb = new StringBuilder();
                c.forEach(b -> sb.append(b.path("text").asText("")).append('\n'));
                return sb.toString();
            }
        }
        return "";
    }

    private static int toolResults(JsonNode request) {
        int n = 0;
        for (JsonNode m : request.path("messages")) {
            for (JsonNode b : m.path("content")) {
                if ("tool_result".equals(b.path("type").asText())) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Streams {@code m} as Anthropic SSE: text in two deltas, tool input in two JSON deltas. */
    private void stream(HttpExchange ex, ObjectNode m) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        ObjectNode start = m.deepCopy();
        start.putArray("content");
        start.putNull("stop_reason");
        start.remove("safeguard_results");
        event(
                out,
                "message_start",
                json.createObjectNode().put("type", "message_start").set("message", start));
        event(out, "ping", json.createObjectNode().put("type", "ping"));
        int index = 0;
        for (JsonNode b : m.path("content")) {
            ObjectNode head = b.deepCopy();
            String delta;
            String piece;
            if ("tool_use".equals(b.path("type").asText())) {
                head.putObject("input");
                delta = "input_json_delta";
                piece = json.writeValueAsString(b.path("input"));
            } else {
                head.put("text", "");
                delta = "text_delta";
                piece = b.path("text").asText();
            }
            event(
                    out,
                    "content_block_start",
                    json.createObjectNode()
                            .put("type", "content_block_start")
                            .put("index", index)
                            .set("content_block", head));
            int half = piece.length() / 2;
            for (String part : new String[] {piece.substring(0, half), piece.substring(half)}) {
                ObjectNode d = json.createObjectNode().put("type", delta);
                d.put(delta.equals("text_delta") ? "text" : "partial_json", part);
                event(
                        out,
                        "content_block_delta",
                        json.createObjectNode()
                                .put("type", "content_block_delta")
                                .put("index", index)
                                .set("delta", d));
            }
            event(
                    out,
                    "content_block_stop",
                    json.createObjectNode().put("type", "content_block_stop").put("index", index));
            index++;
        }
        ObjectNode delta = json.createObjectNode()
                .put("stop_reason", m.path("stop_reason").asText())
                .putNull("stop_sequence");
        if (m.has("safeguard_results")) {
            delta.set("safeguard_results", m.get("safeguard_results"));
        }
        ObjectNode md = json.createObjectNode().put("type", "message_delta");
        md.set("delta", delta);
        md.putObject("usage")
                .put("output_tokens", m.path("usage").path("output_tokens").asInt());
        event(out, "message_delta", md);
        event(out, "message_stop", json.createObjectNode().put("type", "message_stop"));
        out.flush();
    }

    private void event(OutputStream out, String name, JsonNode data) throws IOException {
        // one line per data field: the mapper the fixtures are written with indents, and an SSE data line must not
        // break
        String line = json.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(data);
        out.write(("event: " + name + "\ndata: " + line + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
