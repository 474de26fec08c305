package dev.anyclaude.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.prefix.Normalizer;
import dev.anyclaude.translate.OpenAiDialect;
import dev.anyclaude.translate.OpenAiRequestWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The request an overhead run sends: a real Claude Code body from the shared captures, compacted as a client
 * sends it and trimmed to a target size, in its Anthropic form (to the gateways) and in the OpenAI form the
 * gateway itself sends upstream (straight to the stub, the baseline).
 *
 * <p>Trimming removes whole tools, largest first, skipping a tool whose removal would take the body more
 * than 5 % below the target: Claude Code's tool set varies with settings, so a smaller set is still a real
 * request, while its system prompt and history stay untouched.
 */
final class BenchRequest {
    private final ObjectMapper mapper;
    private final ObjectNode anthropic;
    private final Path source;
    private final List<String> dropped;

    private BenchRequest(ObjectMapper mapper, ObjectNode anthropic, Path source, List<String> dropped) {
        this.mapper = mapper;
        this.anthropic = anthropic;
        this.source = source;
        this.dropped = dropped;
    }

    /** Reads {@code body} (a capture) and trims it to about {@code targetBytes}; 0 keeps it whole. */
    static BenchRequest load(ObjectMapper mapper, Path body, int targetBytes) throws IOException {
        if (!Files.isRegularFile(body)) {
            throw new IllegalArgumentException("--fixtures/--body: " + body.toAbsolutePath()
                    + " does not exist (expected: a Claude Code capture such as "
                    + "src/test/resources/claude-code/p-tool-bash-read/04-POST-v1_messages.body.json in the project)");
        }
        JsonNode tree = mapper.readTree(body.toFile());
        if (!(tree instanceof ObjectNode root)
                || !(root.get("tools") instanceof ArrayNode tools)
                || !(root.get("messages") instanceof ArrayNode messages)) {
            throw new IllegalArgumentException(body + ": expected a Messages body with tools and messages");
        }
        List<String> dropped = new ArrayList<>();
        if (targetBytes > 0) {
            List<JsonNode> bySize = new ArrayList<>();
            tools.forEach(bySize::add);
            bySize.sort(Comparator.comparingInt((JsonNode t) -> size(mapper, t)).reversed());
            long floor = Math.round(targetBytes * 0.95);
            for (JsonNode t : bySize) {
                int now = size(mapper, root);
                if (now <= targetBytes) {
                    break;
                }
                if (now - size(mapper, t) - 1 < floor) {
                    continue;
                }
                for (int i = 0; i < tools.size(); i++) {
                    if (tools.get(i) == t) {
                        tools.remove(i);
                        break;
                    }
                }
                dropped.add(t.path("name").asText("?"));
            }
        }
        return new BenchRequest(mapper, root, body, List.copyOf(dropped));
    }

    private static int size(ObjectMapper mapper, JsonNode n) {
        try {
            return mapper.writeValueAsBytes(n).length;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The compact Messages body as Claude Code would send it, streaming or not. */
    byte[] anthropic(boolean stream) {
        ObjectNode copy = anthropic.deepCopy();
        copy.put("stream", stream);
        try {
            return mapper.writeValueAsBytes(copy);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The OpenAI chat body the gateway sends upstream for the same request (parsed, normalized and
     * written by the gateway's own code, for {@code model}), so the baseline moves the same bytes.
     */
    byte[] openAi(boolean stream, String model) {
        MessagesRequest parsed = new RequestParser(mapper).parse(anthropic(stream));
        MessagesRequest normalized = new Normalizer(true).normalize(parsed).withModel(model);
        return new OpenAiRequestWriter(mapper).write(normalized, OpenAiDialect.openAi());
    }

    int tools() {
        return anthropic.get("tools").size();
    }

    /** Names of the tools removed to reach the target size. */
    List<String> dropped() {
        return dropped;
    }

    /** A one-line description: source, size, tools, messages. */
    String describe() {
        return "%s: %,d bytes, %d tools%s, %d messages"
                .formatted(
                        source.getParent().getFileName().resolve(source.getFileName()),
                        anthropic(true).length,
                        tools(),
                        dropped.isEmpty() ? "" : " (dropped " + String.join(", ", dropped) + ")",
                        anthropic.get("messages").size());
    }
}
