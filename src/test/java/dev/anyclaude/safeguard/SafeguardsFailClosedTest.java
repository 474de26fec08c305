package dev.anyclaude.safeguard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.backend.Flavor;
import dev.anyclaude.backend.InlineSystem;
import dev.anyclaude.backend.OpenAiBackend;
import dev.anyclaude.backend.OpenAiConfig;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import dev.anyclaude.time.Clock;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Failing closed: when the classifier's model cannot be reached (a real client against a port nobody listens on),
 * every tool call of the answer is flagged, with the reason, and the answer still completes.
 */
class SafeguardsFailClosedTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void anUnreachableClassifierBlocksEveryCall() throws Exception {
        OpenAiBackend dead = new OpenAiBackend(
                new OpenAiConfig(
                        OpenAiConfig.normalizeBase("http://127.0.0.1:" + closedPort()),
                        null,
                        Flavor.GENERIC,
                        0,
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(5),
                        InlineSystem.AUTO),
                JSON);
        Safeguards safeguards = new Safeguards(dead, "judge", Duration.ofSeconds(10), JSON, Clock.SYSTEM);
        MessagesRequest request = new MessagesRequest(
                "m",
                64,
                List.of(),
                List.of(new Message(Role.USER, List.of(new ContentBlock.Text("clean up the build")))),
                List.of(),
                null,
                null,
                null,
                null,
                List.of(),
                null,
                null,
                null,
                true,
                "[{\"type\":\"dangerous_tool_use\",\"classifier_context\":{\"live_cwd\":\"/home/dev/p\"}}]");
        List<StreamEvent> out = new ArrayList<>();

        var sink = safeguards.wrap(request, "req_1", out::add);
        sink.accept(new StreamEvent.MessageStart(null, null, Usage.ZERO));
        sink.accept(new StreamEvent.BlockStart(0, new StreamEvent.ToolUseBlock("toolu_1", "Bash")));
        sink.accept(new StreamEvent.BlockDelta(0, new StreamEvent.InputJsonDelta("{\"command\":\"rm -rf build\"}")));
        sink.accept(new StreamEvent.BlockStop(0));
        sink.accept(new StreamEvent.BlockStart(1, new StreamEvent.ToolUseBlock("toolu_2", "Read")));
        sink.accept(new StreamEvent.BlockStop(1));
        sink.accept(new StreamEvent.MessageDelta(dev.anyclaude.messages.StopReason.TOOL_USE, null, Usage.ZERO));
        sink.accept(new StreamEvent.MessageStop());

        assertThat(out).hasSize(8);
        StreamEvent.MessageDelta delta = (StreamEvent.MessageDelta) out.get(6);
        JsonNode results = JSON.readTree(delta.safeguardResultsJson());
        assertThat(results).hasSize(1);
        assertThat(results.at("/0/type").asText()).isEqualTo("dangerous_tool_use");
        assertThat(results.at("/0/status/type").asText()).isEqualTo("available");
        JsonNode uses = results.at("/0/status/tool_uses");
        assertThat(uses.size()).isEqualTo(2);
        for (String id : List.of("toolu_1", "toolu_2")) {
            assertThat(uses.path(id).path("type").asText()).isEqualTo("evaluated");
            assertThat(uses.path(id).path("outcome").asText()).as(id).isEqualTo("flagged");
            assertThat(uses.path(id).path("explanation").asText()).contains("could not judge");
        }
        assertThat(JSON.valueToTree(safeguards.stats().snapshot())
                        .path("unjudged_blocked")
                        .asLong())
                .isEqualTo(2);
        dead.close();
    }

    @Test
    void aRequestWithoutSafeguardsOrWithOtherKindsPassesUntouched() {
        Safeguards safeguards = new Safeguards(null, "judge", Duration.ofSeconds(1), JSON, Clock.SYSTEM);
        MessagesRequest plain = new MessagesRequest(
                "m", 64, List.of(), List.of(), List.of(), null, null, null, null, List.of(), null, null, null, true);
        dev.anyclaude.messages.EventSink client = e -> {};
        assertThat(safeguards.wrap(plain, "r", client)).isSameAs(client);
        MessagesRequest other = new MessagesRequest(
                "m",
                64,
                List.of(),
                List.of(),
                List.of(),
                null,
                null,
                null,
                null,
                List.of(),
                null,
                null,
                null,
                true,
                "[{\"type\":\"something_else\"}]");
        assertThat(safeguards.wrap(other, "r", client)).isSameAs(client);
    }
}
