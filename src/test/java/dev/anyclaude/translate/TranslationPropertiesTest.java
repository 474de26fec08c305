package dev.anyclaude.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.ThinkingConfig;
import dev.anyclaude.messages.Tool;
import dev.anyclaude.messages.ToolChoice;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class TranslationPropertiesTest {
    private static final java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> F_TOOL = java.util.Map.of(
            "F",
            new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("type", "object"));
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OpenAiRequestWriter WRITER = new OpenAiRequestWriter(MAPPER);
    private static final String NOISE = "{}[]\":,0-e\\nul";
    private static final String[] WORDS = {
        "",
        "a",
        "hello world",
        "line\nbreak",
        "quote \" and \\",
        "ünïcødé 😀",
        "<think>",
        "</tool_call>",
        "\u0000\u001f",
        "{\"json\":1}"
    };

    @Property(tries = 300)
    void randomValidRequestsTranslateToValidJsonDeterministically(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        MessagesRequest req = randomRequest(r);
        OpenAiDialect d = new OpenAiDialect(
                r.nextBoolean(),
                r.nextBoolean(),
                r.nextBoolean(),
                r.nextBoolean(),
                r.nextBoolean(),
                r.nextBoolean(),
                r.nextBoolean() ? Map.of() : Map.of("id_slot", r.nextInt(4)));

        byte[] body = WRITER.write(req, d);

        assertThat(WRITER.write(randomRequest(new Random(seed)), d)).isEqualTo(body);
        JsonNode out = MAPPER.readTree(body);
        assertThat(out.get("model").asText()).isEqualTo(req.model());
        assertThat(out.get("messages").size()).isPositive();
        long custom = req.tools().stream().filter(Tool::custom).count();
        assertThat(out.path("tools").size()).isEqualTo((int) custom);
        Set<String> announced = new HashSet<>();
        String previousRole = null;
        for (JsonNode m : out.get("messages")) {
            String role = m.get("role").asText();
            assertThat(role).isIn("system", "user", "assistant", "tool");
            for (JsonNode c : m.path("tool_calls")) {
                announced.add(c.get("id").asText());
                assertThat(MAPPER.readTree(c.at("/function/arguments").asText()).isObject())
                        .isTrue();
            }
            if (role.equals("tool")) {
                assertThat(announced).contains(m.get("tool_call_id").asText());
                assertThat(previousRole).isIn("assistant", "tool");
            }
            if (d.mergeConsecutiveRoles() && !role.equals("tool")) {
                assertThat(role).isNotEqualTo(previousRole);
            }
            previousRole = role;
        }
    }

    @Property(tries = 300)
    void randomChunkStreamsGiveWellFormedEventSequences(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        Recorder rec = new Recorder();
        OpenAiStreamTranslator t = new OpenAiStreamTranslator(
                MAPPER,
                rec,
                new OpenAiStreamTranslator.Options(
                        r.nextBoolean()
                                ? TextFormats.NONE
                                : TextFormats.of(dev.anyclaude.toolcall.ToolCallSyntax.HERMES),
                        F_TOOL));
        StringBuilder content = new StringBuilder();
        Set<Integer> calls = new HashSet<>();
        int nextCall = 0;
        boolean finished = false;
        try {
            for (int i = 0, n = r.nextInt(12); i < n; i++) {
                switch (r.nextInt(5)) {
                    case 0 -> {
                        String w = WORDS[r.nextInt(WORDS.length)];
                        content.append(w);
                        t.onData("{\"choices\":[{\"delta\":{\"content\":" + MAPPER.writeValueAsString(w) + "}}]}");
                    }
                    case 1 ->
                        t.onData("{\"choices\":[{\"delta\":{\"reasoning_content\":"
                                + MAPPER.writeValueAsString(WORDS[r.nextInt(WORDS.length)]) + "}}]}");
                    case 2 -> {
                        int index = r.nextBoolean() || calls.isEmpty() ? nextCall++ : nextCall - 1;
                        boolean first = calls.add(index); // later deltas of a call repeat id and name only
                        t.onData("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":" + index
                                + ",\"id\":\"call_" + index + "\",\"function\":{\"name\":\"F\",\"arguments\":"
                                + MAPPER.writeValueAsString(!first || r.nextBoolean() ? "" : "{\"k\":" + index + "}")
                                + "}}]}}]}");
                    }
                    case 3 ->
                        t.onData("{\"choices\":[],\"usage\":{\"prompt_tokens\":" + r.nextInt(100)
                                + ",\"completion_tokens\":" + r.nextInt(100) + "}}");
                    default -> t.onData("{\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}");
                }
            }
            if (r.nextInt(4) > 0) {
                t.onData("{\"choices\":[{\"delta\":{},\"finish_reason\":\""
                        + List.of("stop", "length", "tool_calls").get(r.nextInt(3)) + "\"}]}");
                finished = true;
            }
            t.onEnd();
        } catch (GatewayException e) {
            // an interleaved tool call, or a stream without finish: the only legal failures
            assertThat(e.getMessage()).containsAnyOf("interleaved", "finish_reason", "without any data");
            return;
        }
        assertThat(finished).isTrue();
        assertWellFormed(rec.events);
        long toolBlocks = rec.events.stream()
                .filter(e -> e instanceof StreamEvent.BlockStart s && s.block() instanceof StreamEvent.ToolUseBlock)
                .count();
        assertThat(toolBlocks).isGreaterThanOrEqualTo(calls.size());
    }

    /** The Backend event contract: start; blocks 0..n opened, filled, closed in order; delta; stop. */
    static void assertWellFormed(List<StreamEvent> events) {
        assertThat(events.getFirst()).isInstanceOf(StreamEvent.MessageStart.class);
        assertThat(events.getLast()).isInstanceOf(StreamEvent.MessageStop.class);
        assertThat(events.get(events.size() - 2)).isInstanceOf(StreamEvent.MessageDelta.class);
        int open = -1;
        int next = 0;
        StreamEvent.Block block = null;
        for (StreamEvent e : events.subList(1, events.size() - 2)) {
            switch (e) {
                case StreamEvent.BlockStart s -> {
                    assertThat(open).as("a block is still open").isEqualTo(-1);
                    assertThat(s.index()).isEqualTo(next++);
                    open = s.index();
                    block = s.block();
                }
                case StreamEvent.BlockDelta d -> {
                    assertThat(d.index()).isEqualTo(open);
                    switch (d.delta()) {
                        case StreamEvent.TextDelta t -> assertThat(block).isInstanceOf(StreamEvent.TextBlock.class);
                        case StreamEvent.ThinkingDelta t ->
                            assertThat(block).isInstanceOf(StreamEvent.ThinkingBlock.class);
                        case StreamEvent.SignatureDelta s ->
                            assertThat(block).isInstanceOf(StreamEvent.ThinkingBlock.class);
                        case StreamEvent.InputJsonDelta j ->
                            assertThat(block).isInstanceOf(StreamEvent.ToolUseBlock.class);
                    }
                }
                case StreamEvent.BlockStop s -> {
                    assertThat(s.index()).isEqualTo(open);
                    open = -1;
                }
                default -> throw new AssertionError("unexpected event inside the message: " + e);
            }
        }
        assertThat(open).isEqualTo(-1);
    }

    static MessagesRequest randomRequest(Random r) {
        List<Tool> tools = new ArrayList<>();
        for (int i = 0, n = r.nextInt(4); i < n; i++) {
            tools.add(new Tool(
                    "tool" + i,
                    r.nextBoolean() ? null : word(r),
                    "{\"type\":\"object\",\"properties\":{\"p" + i + "\":{\"type\":\"string\"}}}",
                    null));
        }
        if (r.nextInt(4) == 0) {
            tools.add(new Tool("web_search", null, null, "web_search_20250305"));
        }
        List<Message> messages = new ArrayList<>();
        List<String> pendingToolUses = new ArrayList<>();
        int ids = 0;
        for (int i = 0, n = 1 + r.nextInt(8); i < n; i++) {
            Role role = List.of(Role.USER, Role.ASSISTANT, Role.SYSTEM).get(r.nextInt(3));
            List<ContentBlock> content = new ArrayList<>();
            switch (role) {
                case SYSTEM -> content.add(new ContentBlock.Text(word(r)));
                case ASSISTANT -> {
                    for (int b = 0, k = r.nextInt(4); b < k; b++) {
                        switch (r.nextInt(4)) {
                            case 0 -> content.add(new ContentBlock.Text(word(r)));
                            case 1 -> content.add(new ContentBlock.Thinking(word(r), "sig"));
                            case 2 -> content.add(new ContentBlock.RedactedThinking("x"));
                            default -> {
                                String id = "toolu_" + ids++;
                                pendingToolUses.add(id);
                                content.add(new ContentBlock.ToolUse(id, "tool0", "{\"p0\":" + r.nextInt(9) + "}"));
                            }
                        }
                    }
                }
                case USER -> {
                    // as Anthropic requires: results answer the calls of the message right before
                    if (!messages.isEmpty() && messages.getLast().role() != Role.ASSISTANT) {
                        pendingToolUses.clear();
                    }
                    while (!pendingToolUses.isEmpty()) {
                        List<ContentBlock> inner = r.nextBoolean()
                                ? List.of(new ContentBlock.Text(word(r)))
                                : List.of(
                                        new ContentBlock.Text(word(r)),
                                        new ContentBlock.Image("image/png", "iVBO", null));
                        content.add(new ContentBlock.ToolResult(pendingToolUses.removeFirst(), inner, r.nextBoolean()));
                    }
                    for (int b = 0, k = r.nextInt(3); b < k; b++) {
                        switch (r.nextInt(3)) {
                            case 0 -> content.add(new ContentBlock.Text(word(r)));
                            case 1 -> content.add(new ContentBlock.Image(null, null, "https://x/" + b + ".png"));
                            default ->
                                content.add(new ContentBlock.Document(
                                        r.nextBoolean() ? null : word(r),
                                        r.nextBoolean() ? null : word(r),
                                        "text/plain"));
                        }
                    }
                }
            }
            if (role != Role.ASSISTANT && role != Role.USER) {
                pendingToolUses.clear();
            }
            messages.add(new Message(role, List.copyOf(content)));
        }
        ToolChoice choice = r.nextBoolean()
                ? null
                : new ToolChoice(List.of("auto", "any", "tool", "none").get(r.nextInt(4)), "tool0", r.nextBoolean());
        if (choice != null && !choice.type().equals("tool")) {
            choice = new ToolChoice(choice.type(), null, choice.disableParallelToolUse());
        }
        return new MessagesRequest(
                "model-" + r.nextInt(3),
                1 + r.nextInt(1000),
                r.nextBoolean() ? List.of() : List.of(new ContentBlock.Text(word(r)), new ContentBlock.Text(word(r))),
                messages,
                tools,
                choice,
                r.nextBoolean() ? null : r.nextDouble(),
                r.nextBoolean() ? null : 0.9,
                r.nextBoolean() ? null : 40,
                List.of(),
                r.nextBoolean()
                        ? null
                        : new ThinkingConfig(
                                List.of("enabled", "adaptive", "disabled").get(r.nextInt(3)), r.nextInt(30000)),
                r.nextBoolean() ? null : "{\"type\":\"object\"}",
                r.nextBoolean() ? null : "high",
                r.nextBoolean());
    }

    private static String word(Random r) {
        return WORDS[r.nextInt(WORDS.length)];
    }

    @Property(tries = 300)
    void garbageFromABackendIsAGatewayExceptionNeverAnotherFailure(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        String valid = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\",\"tool_calls\":[{\"index\":0,"
                + "\"id\":\"a\",\"function\":{\"name\":\"F\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":1}}}";
        StringBuilder data = new StringBuilder(valid);
        for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
            int at = r.nextInt(data.length());
            switch (r.nextInt(3)) {
                case 0 -> data.deleteCharAt(at);
                case 1 -> data.insert(at, NOISE.charAt(r.nextInt(NOISE.length())));
                default -> data.setCharAt(at, (char) r.nextInt(0x3000));
            }
        }
        Recorder rec = new Recorder();
        OpenAiStreamTranslator t = new OpenAiStreamTranslator(
                MAPPER,
                rec,
                new OpenAiStreamTranslator.Options(
                        TextFormats.of(dev.anyclaude.toolcall.ToolCallSyntax.HERMES), F_TOOL));
        try {
            t.onData(data.toString());
            t.onEnd();
            assertWellFormed(rec.events);
        } catch (GatewayException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        try {
            new OpenAiResponseTranslator(MAPPER, OpenAiStreamTranslator.Options.DEFAULT)
                    .translate(data.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), new Recorder());
        } catch (GatewayException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
