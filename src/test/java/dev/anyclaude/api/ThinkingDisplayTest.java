package dev.anyclaude.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.EventJson;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.ThinkingConfig;
import dev.anyclaude.messages.Usage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code thinking.display}: parsed, and "omitted" sends thinking blocks empty with their signatures. */
class ThinkingDisplayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RequestParser parser = new RequestParser(JSON);

    private MessagesRequest parse(String thinking) {
        return parser.parse(("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"thinking\":" + thinking + "}")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheDisplayClaudeCodeSends() {
        assertThat(parse("{\"type\":\"adaptive\",\"display\":\"omitted\"}").thinking())
                .isEqualTo(new ThinkingConfig("adaptive", 0, "omitted"));
        assertThat(parse("{\"type\":\"adaptive\",\"display\":\"omitted\"}")
                        .thinking()
                        .omitted())
                .isTrue();
        assertThat(parse("{\"type\":\"enabled\",\"budget_tokens\":2048,\"display\":\"summarized\"}")
                        .thinking()
                        .omitted())
                .isFalse();
        assertThat(parse("{\"type\":\"adaptive\"}").thinking().display()).isNull();
        assertThatThrownBy(() -> parse("{\"type\":\"adaptive\",\"display\":3}"))
                .hasMessageContaining("thinking.display")
                .hasMessageContaining("a display mode");
    }

    @Test
    void omittedThinkingReachesTheClientEmptyWithItsSignature() throws Exception {
        List<StreamEvent> out = new ArrayList<>();
        EventSink sink = MessagesEndpoint.withoutThinkingText(out::add);
        sink.accept(new StreamEvent.MessageStart("msg_1", "m", Usage.ZERO));
        sink.accept(new StreamEvent.BlockStart(0, new StreamEvent.ThinkingBlock()));
        sink.accept(new StreamEvent.BlockDelta(0, new StreamEvent.ThinkingDelta("secret reasoning")));
        sink.accept(new StreamEvent.BlockDelta(0, new StreamEvent.SignatureDelta("sig")));
        sink.accept(new StreamEvent.BlockStop(0));
        sink.accept(new StreamEvent.BlockStart(1, new StreamEvent.TextBlock()));
        sink.accept(new StreamEvent.BlockDelta(1, new StreamEvent.TextDelta("hello")));
        sink.accept(new StreamEvent.BlockStop(1));
        sink.accept(new StreamEvent.MessageDelta(StopReason.END_TURN, null, Usage.ZERO));
        sink.accept(new StreamEvent.MessageStop());

        JsonNode message = JSON.readTree(new EventJson(JSON).message(out));
        assertThat(message.at("/content/0/type").asText()).isEqualTo("thinking");
        assertThat(message.at("/content/0/thinking").asText()).isEmpty();
        assertThat(message.at("/content/0/signature").asText()).isEqualTo("sig");
        assertThat(message.at("/content/1/text").asText()).isEqualTo("hello");
        assertThat(message.toString()).doesNotContain("secret reasoning");
    }
}
