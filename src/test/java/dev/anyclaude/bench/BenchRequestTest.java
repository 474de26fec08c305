package dev.anyclaude.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.Fixtures;
import dev.anyclaude.cli.StubModelServer;
import dev.anyclaude.messages.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BenchRequestTest {
    private static final ObjectMapper MAPPER = Json.create();
    private static final Path CAPTURE = Fixtures.claudeCode().resolve("p-tool-bash-read/04-POST-v1_messages.body.json");

    @Test
    void trimsToTheTargetByDroppingWholeToolsAndKeepsSystemAndHistory() throws Exception {
        JsonNode original = MAPPER.readTree(CAPTURE.toFile());
        BenchRequest r = BenchRequest.load(MAPPER, CAPTURE, 63_000);
        byte[] body = r.anthropic(true);
        assertThat(body.length).isBetween(59_850, 63_000);
        JsonNode sent = MAPPER.readTree(body);
        assertThat(sent.get("system")).isEqualTo(original.get("system"));
        assertThat(sent.get("messages")).isEqualTo(original.get("messages"));
        assertThat(sent.get("tools").size() + r.dropped().size())
                .isEqualTo(original.get("tools").size());
        assertThat(r.dropped()).isNotEmpty().doesNotContain("Bash", "Read");
        assertThat(sent.get("stream").asBoolean()).isTrue();
        assertThat(MAPPER.readTree(r.anthropic(false)).get("stream").asBoolean())
                .isFalse();
    }

    @Test
    void keepsTheWholeCaptureForTargetZero() throws Exception {
        BenchRequest r = BenchRequest.load(MAPPER, CAPTURE, 0);
        assertThat(r.dropped()).isEmpty();
        assertThat(r.tools())
                .isEqualTo(MAPPER.readTree(CAPTURE.toFile()).get("tools").size());
    }

    @Test
    void baselineBodyIsTheGatewaysOwnUpstreamBodyForTheStubModel() throws Exception {
        BenchRequest r = BenchRequest.load(MAPPER, CAPTURE, 63_000);
        JsonNode chat = MAPPER.readTree(r.openAi(false, StubModelServer.MODEL));
        assertThat(chat.get("model").asText()).isEqualTo(StubModelServer.MODEL);
        assertThat(chat.get("stream").asBoolean()).isFalse();
        assertThat(chat.get("tools").size()).isEqualTo(r.tools());
        assertThat(chat.get("messages").get(0).get("content").asText()).doesNotContain("x-anthropic-billing-header");
    }
}
