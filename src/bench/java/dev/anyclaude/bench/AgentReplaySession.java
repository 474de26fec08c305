package dev.anyclaude.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A multi-turn Claude Code session to replay against a gateway, built from a recorded one.
 *
 * <p>The main agent's turns are the recorded bodies themselves (first request, then each recorded
 * assistant {@code tool_use} and user {@code tool_result} appended in turn), continued past the
 * recording with synthesized tool calls of the same shape ({@link AgentReplayScript}). Every request
 * carries the recorded headers, the session id among them, unchanged; what changes per request is what
 * Claude Code changes: the history grows, {@code cache_control} moves to the last block of the last user
 * message, and the billing line {@code x-anthropic-billing-header: cc_version=<ver>.<3 hex>} gets new
 * hex digits ({@link Billing#PER_REQUEST}). A sub-agent stream — another system prompt and a read-only
 * subset of the tools, like Claude Code's Explore agent — runs in the same session.
 *
 * <p>{@link AgentReplayTrim} bounds the sizes for models with a byte vocabulary; with {@link
 * AgentReplayTrim#none()} and {@link Billing#AS_CAPTURED} the first requests equal the recorded bodies.
 */
public final class AgentReplaySession {

    /** Claude Code's session header: the same on every request of a session, sub-agents included. */
    public static final String SESSION_HEADER = "x-claude-code-session-id";

    /** The billing line's version and the three hex digits that change. */
    private static final Pattern BILLING = Pattern.compile("(cc_version=[0-9][0-9.]*\\.)([0-9a-f]{3})(;)");

    /** Headers the HTTP client sets itself (and accept-encoding, so that answers come uncompressed). */
    private static final Set<String> TRANSPORT =
            Set.of("host", "content-length", "connection", "accept-encoding", "expect", "upgrade");

    /** How the billing line's hex digits behave. */
    public enum Billing {
        /**
         * New digits on every request, as the acceptance asks ("changing every request"): the
         * worst case for a prefix cache. In the capture they stayed {@code f00} within the session and
         * differ between conversations (they hash characters of the first prompt).
         */
        PER_REQUEST,
        /** The recorded digits, unchanged. */
        AS_CAPTURED,
        /**
         * As Claude Code 2.1.197 sends them: constant within one agent of one session, different between
         * sessions ({@link #forSession}) and between a session's main agent, its sub-agent and its title request.
         */
        PER_SESSION
    }

    private final ObjectMapper json;
    private final AgentReplayTrim trim;
    private final Billing billing;
    private final ObjectNode first;
    private final Map<String, String> headers;
    private final List<JsonNode[]> recorded;
    private final String capturedHex;

    private AgentReplaySession(
            ObjectMapper json,
            AgentReplayTrim trim,
            Billing billing,
            ObjectNode first,
            Map<String, String> headers,
            List<JsonNode[]> recorded) {
        this.json = json;
        this.trim = trim;
        this.billing = billing;
        this.first = first;
        this.headers = headers;
        this.recorded = recorded;
        Matcher m = BILLING.matcher(billingBlock(first).path("text").asText());
        if (!m.find()) {
            throw new IllegalArgumentException("system[0]: no cc_version=<version>.<3 hex>; in the billing line"
                    + " (expected: Claude Code's x-anthropic-billing-header block)");
        }
        this.capturedHex = m.group(2);
    }

    /**
     * Another session of the same kind: a new session id, the user's first prompt {@code prompt} in place of
     * the recorded one, and billing digits {@code hex} (3 hex digits). The recorded tool turns stay: they
     * answer the recorded prompt, which only a reader of the text would notice.
     */
    public AgentReplaySession forSession(String sessionId, String hex, String prompt) {
        if (!hex.matches("[0-9a-f]{3}")) {
            throw new IllegalArgumentException("hex: " + hex + " (expected: 3 lowercase hex digits)");
        }
        ObjectNode body = first.deepCopy();
        ObjectNode billingBlock = billingBlock(body);
        billingBlock.put(
                "text", BILLING.matcher(billingBlock.path("text").asText()).replaceFirst("$1" + hex + "$3"));
        JsonNode content = body.path("messages").path(0).path("content");
        if (!content.isArray()
                || content.isEmpty()
                || !"text".equals(content.get(content.size() - 1).path("type").asText())) {
            throw new IllegalArgumentException(
                    "messages[0]: no text block to put the prompt in (expected: Claude Code's"
                            + " first user message)");
        }
        ((ObjectNode) content.get(content.size() - 1)).put("text", prompt);
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(SESSION_HEADER, sessionId);
        return new AgentReplaySession(json, trim, billing, body, h, recorded);
    }

    /**
     * The request Claude Code sends beside a session's first turn to name the conversation: the small model, a
     * short system prompt of its own, the user's first prompt, no tools. Written in the shape of the 2.1.197
     * title request (synthesized: the captures here come from {@code claude -p}, which sends none).
     */
    public AgentReplayRequest titleRequest() {
        ObjectNode body = json.createObjectNode();
        body.put("model", "claude-haiku-4-5-20251001");
        body.put("max_tokens", trim.maxTokens() > 0 ? trim.maxTokens() : 512);
        ArrayNode system = body.putArray("system");
        String billingText = billingBlock(first).path("text").asText();
        system.add(billingBlock(first)
                .deepCopy()
                .put("text", BILLING.matcher(billingText).replaceFirst("$1" + shifted(0x2c7) + "$3")));
        system.addObject()
                .put("type", "text")
                .put("text", first.path("system").path(1).path("text").asText());
        system.addObject().put("type", "text").put("text", TITLE_PROMPT);
        ArrayNode messages = body.putArray("messages");
        ObjectNode user = messages.addObject().put("role", "user");
        user.putArray("content").addObject().put("type", "text").put("text", userPrompt());
        body.putObject("metadata")
                .put("user_id", first.path("metadata").path("user_id").asText(""));
        body.put("stream", true);
        try {
            return new AgentReplayRequest("title", 1, headers, json.writeValueAsString(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String TITLE_PROMPT = """
            Analyze if this message indicates a new conversation topic. If it does, extract a 2-3 word title \
            that             captures the new topic. Format your response as a JSON object with two fields: \
            'isNewTopic' (boolean)             and 'title' (string, or null if isNewTopic is false). Only include \
            these fields, no other text.""";

    /**
     * Reads a recorded session: the {@code NN-POST-v1_messages.body.json} files of {@code dir} in order,
     * each extending the previous by one assistant message and one user message, and the headers of the
     * first one's {@code .request.json}.
     *
     * @throws IllegalArgumentException when the folder does not hold such a session
     */
    public static AgentReplaySession load(Path dir, AgentReplayTrim trim, Billing billing, ObjectMapper json)
            throws IOException {
        List<Path> bodies;
        try (Stream<Path> files = Files.list(dir)) {
            bodies = files.filter(p -> p.getFileName().toString().endsWith("-POST-v1_messages.body.json"))
                    .sorted()
                    .toList();
        }
        if (bodies.isEmpty()) {
            throw new IllegalArgumentException(
                    dir + ": no NN-POST-v1_messages.body.json (expected: a Claude Code capture)");
        }
        ObjectNode first = object(json.readTree(bodies.getFirst().toFile()), bodies.getFirst());
        List<JsonNode[]> recorded = new ArrayList<>();
        JsonNode previous = first;
        for (Path p : bodies.subList(1, bodies.size())) {
            JsonNode body = json.readTree(p.toFile());
            JsonNode before = previous.path("messages");
            JsonNode now = body.path("messages");
            if (now.size() != before.size() + 2
                    || !"assistant".equals(now.get(before.size()).path("role").asText())
                    || !"user".equals(now.get(before.size() + 1).path("role").asText())) {
                throw new IllegalArgumentException(p + ": messages (expected: the previous body's messages plus one"
                        + " assistant and one user message)");
            }
            recorded.add(new JsonNode[] {now.get(before.size()), now.get(before.size() + 1)});
            previous = body;
        }
        Path request = bodies.getFirst()
                .resolveSibling(bodies.getFirst().getFileName().toString().replace(".body.json", ".request.json"));
        Map<String, String> headers = new LinkedHashMap<>();
        json.readTree(request.toFile()).path("headers").properties().forEach(e -> {
            if (!TRANSPORT.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().asText());
            }
        });
        if (!headers.containsKey(SESSION_HEADER)) {
            throw new IllegalArgumentException(
                    request + ": no " + SESSION_HEADER + " header (expected: Claude Code's)");
        }
        return new AgentReplaySession(json, trim, billing, first, headers, recorded);
    }

    private static ObjectNode object(JsonNode node, Path from) {
        if (!(node instanceof ObjectNode o)
                || !o.path("messages").isArray()
                || o.path("system").size() < 3
                || !o.path("tools").isArray()) {
            throw new IllegalArgumentException(from + ": not a Claude Code main-agent body (expected: system blocks"
                    + " [billing, identity, prompt], tools and messages)");
        }
        return o;
    }

    public String sessionId() {
        return headers.get(SESSION_HEADER);
    }

    public AgentReplayTrim trim() {
        return trim;
    }

    /** How many turns come from the recording (the rest of a longer replay is synthesized). */
    public int recordedTurns() {
        return recorded.size() + 1;
    }

    /** The main agent's first {@code turns} requests. */
    public List<AgentReplayRequest> mainAgent(int turns) {
        requireTurns(turns);
        List<JsonNode[]> exchanges = new ArrayList<>(recorded);
        for (int i = 0; exchanges.size() < turns - 1; i++) {
            AgentReplayScript.Step step = AgentReplayScript.MAIN.get(i % AgentReplayScript.MAIN.size());
            exchanges.add(
                    exchange(step, "toolu_replay_main_" + String.format(Locale.ROOT, "%03d", exchanges.size() + 1)));
        }
        // Every tool the session can call stays, whatever the number of turns: tools never change within a session.
        Set<String> called = new HashSet<>();
        for (JsonNode[] e : recorded) {
            e[0].path("content").forEach(b -> called.add(b.path("name").asText()));
        }
        AgentReplayScript.MAIN.forEach(step -> called.add(step.tool()));
        ArrayNode tools = json.createArrayNode();
        JsonNode all = first.path("tools");
        for (int i = 0; i < all.size(); i++) {
            if (trim.firstTools() < 0
                    || i < trim.firstTools()
                    || called.contains(all.get(i).path("name").asText())) {
                tools.add(all.get(i));
            }
        }
        ObjectNode base = first.deepCopy();
        ArrayNode system = (ArrayNode) base.get("system");
        ObjectNode prompt = (ObjectNode) system.get(2);
        prompt.put("text", cut(prompt.path("text").asText(), trim.systemChars()));
        base.set("tools", tools);
        for (JsonNode m : base.path("messages")) {
            if ("system".equals(m.path("role").asText()) && m.path("content").isTextual()) {
                ((ObjectNode) m).put("content", cut(m.path("content").asText(), trim.agentListChars()));
            }
        }
        return requests("main", base, exchanges, turns);
    }

    /**
     * The sub-agent's first {@code turns} requests: the recorded body's settings, identity line and
     * session, with the sub-agent's own system prompt, the read-only tools and its own conversation.
     */
    public List<AgentReplayRequest> subAgent(int turns) {
        return subAgent(turns, 0);
    }

    /**
     * Sub-agent {@code variant} (0 or 1) of this session: two Explore agents that Claude Code runs at the same time
     * have the same system prompt and tools and differ in their task.
     */
    public List<AgentReplayRequest> subAgent(int turns, int variant) {
        requireTurns(turns);
        if (variant < 0 || variant >= AgentReplayScript.EXPLORE_TASKS.size()) {
            throw new IllegalArgumentException(
                    "variant: " + variant + " (expected: 0 to " + (AgentReplayScript.EXPLORE_TASKS.size() - 1) + ")");
        }
        ObjectNode base = first.deepCopy();
        ArrayNode system = (ArrayNode) base.get("system");
        ((ObjectNode) system.get(2)).put("text", cut(AgentReplayScript.EXPLORE_PROMPT, trim.systemChars()));
        while (system.size() > 3) {
            system.remove(3);
        }
        ArrayNode tools = json.createArrayNode();
        for (JsonNode t : first.path("tools")) {
            if (AgentReplayScript.EXPLORE_TOOLS.contains(t.path("name").asText())) {
                tools.add(t);
            }
        }
        base.set("tools", tools);
        ArrayNode messages = json.createArrayNode();
        ObjectNode task = messages.addObject().put("role", "user");
        task.putArray("content")
                .addObject()
                .put("type", "text")
                .put(
                        "text",
                        AgentReplayScript.EXPLORE_TASKS.get(variant) + "\n\nThe user's request, for context: "
                                + userPrompt());
        base.set("messages", messages);
        List<JsonNode[]> exchanges = new ArrayList<>();
        for (int i = 0; exchanges.size() < turns - 1; i++) {
            AgentReplayScript.Step step = AgentReplayScript.EXPLORE.get(i % AgentReplayScript.EXPLORE.size());
            exchanges.add(
                    exchange(step, "toolu_replay_sub_" + String.format(Locale.ROOT, "%03d", exchanges.size() + 1)));
        }
        return requests(variant == 0 ? "sub" : "sub" + (variant + 1), base, exchanges, turns);
    }

    /** Two streams' requests taken turn by turn: a1, b1, a2, b2, ... then the rest of the longer one. */
    public static List<AgentReplayRequest> interleave(List<AgentReplayRequest> a, List<AgentReplayRequest> b) {
        List<AgentReplayRequest> out = new ArrayList<>(a.size() + b.size());
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            if (i < a.size()) {
                out.add(a.get(i));
            }
            if (i < b.size()) {
                out.add(b.get(i));
            }
        }
        return out;
    }

    private List<AgentReplayRequest> requests(String agent, ObjectNode base, List<JsonNode[]> exchanges, int turns) {
        if (trim.maxTokens() > 0) {
            base.put("max_tokens", trim.maxTokens());
        }
        List<AgentReplayRequest> out = new ArrayList<>(turns);
        for (int turn = 1; turn <= turns; turn++) {
            ObjectNode body = base.deepCopy();
            ArrayNode messages = (ArrayNode) body.get("messages");
            for (JsonNode[] e : exchanges.subList(0, turn - 1)) {
                messages.add(e[0].deepCopy());
                messages.add(e[1].deepCopy());
            }
            for (JsonNode m : messages) {
                if ("user".equals(m.path("role").asText())) {
                    m.path("content").forEach(b -> capToolResult(b));
                }
            }
            moveCacheControl(messages);
            ObjectNode billingBlock = billingBlock(body);
            Matcher m = BILLING.matcher(billingBlock.path("text").asText());
            billingBlock.put("text", m.replaceFirst("$1" + hex(agent, turn) + "$3"));
            try {
                out.add(new AgentReplayRequest(agent, turn, headers, json.writeValueAsString(body)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** Claude Code marks the last block of the last user message, and only that one, in the history. */
    private static void moveCacheControl(ArrayNode messages) {
        ObjectNode last = null;
        for (JsonNode m : messages) {
            if (!m.path("content").isArray()) {
                continue;
            }
            for (JsonNode b : m.path("content")) {
                ((ObjectNode) b).remove("cache_control");
            }
            if ("user".equals(m.path("role").asText()) && !m.path("content").isEmpty()) {
                last = (ObjectNode) m.path("content").get(m.path("content").size() - 1);
            }
        }
        if (last != null) {
            last.putObject("cache_control").put("type", "ephemeral");
        }
    }

    private void capToolResult(JsonNode block) {
        if ("tool_result".equals(block.path("type").asText())
                && block.path("content").isTextual()) {
            ((ObjectNode) block)
                    .put("content", AgentReplayTrim.cap(block.path("content").asText(), trim.toolResultChars()));
        }
    }

    /** New digits per request: consecutive turns of a stream always differ (the step is odd). */
    private String hex(String agent, int turn) {
        if (billing == Billing.AS_CAPTURED) {
            return capturedHex;
        }
        if (billing == Billing.PER_SESSION) {
            return agent.equals("main") ? capturedHex : shifted(0x5a3 * agent.length());
        }
        int base = Integer.parseInt(capturedHex, 16) + (agent.equals("main") ? 0 : 0x5a3);
        return String.format(Locale.ROOT, "%03x", (base + turn * 0x9e5) & 0xfff);
    }

    /** The user's first prompt: the last text block of the first message. */
    private String userPrompt() {
        JsonNode content = first.path("messages").path(0).path("content");
        return content.isArray() && !content.isEmpty()
                ? content.get(content.size() - 1).path("text").asText()
                : "";
    }

    /** This session's billing digits moved by {@code step}, for its other agents. */
    private String shifted(int step) {
        return String.format(Locale.ROOT, "%03x", (Integer.parseInt(capturedHex, 16) + step) & 0xfff);
    }

    private JsonNode[] exchange(AgentReplayScript.Step step, String id) {
        ObjectNode assistant = json.createObjectNode().put("role", "assistant");
        ArrayNode content = assistant.putArray("content");
        if (step.text() != null) {
            content.addObject().put("type", "text").put("text", step.text());
        }
        ObjectNode use =
                content.addObject().put("type", "tool_use").put("id", id).put("name", step.tool());
        try {
            use.set("input", json.readTree(step.inputJson()));
        } catch (IOException e) {
            throw new IllegalStateException("tool input of the replay script is not JSON: " + step.inputJson(), e);
        }
        ObjectNode user = json.createObjectNode().put("role", "user");
        ObjectNode result = user.putArray("content")
                .addObject()
                .put("tool_use_id", id)
                .put("type", "tool_result")
                .put("content", step.result());
        if (step.isError() != null) {
            result.put("is_error", step.isError());
        }
        return new JsonNode[] {assistant, user};
    }

    private static ObjectNode billingBlock(JsonNode body) {
        return (ObjectNode) body.path("system").get(0);
    }

    private static String cut(String text, int limit) {
        return limit == 0 || text.length() <= limit ? text : text.substring(0, limit);
    }

    private static void requireTurns(int turns) {
        if (turns < 1 || turns > 1000) {
            throw new IllegalArgumentException("turns: " + turns + " (expected: 1 to 1000)");
        }
    }
}
