package dev.anyclaude.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.api.Fixtures;
import dev.anyclaude.messages.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replayed session is Claude Code's recorded one, grown the way Claude Code grows it. */
class AgentReplaySessionTest {
    static final ObjectMapper JSON = Json.create();
    static final Path CAPTURE = Fixtures.claudeCode().resolve("p-tool-bash-read");
    static final Pattern BILLING = Pattern.compile(
            "^x-anthropic-billing-header: cc_version=2\\.1\\.197\\.([0-9a-f]{3}); cc_entrypoint=sdk-cli;$");

    static AgentReplaySession load(AgentReplayTrim trim, AgentReplaySession.Billing billing) throws IOException {
        return AgentReplaySession.load(CAPTURE, trim, billing, JSON);
    }

    static JsonNode body(AgentReplayRequest r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void untrimmedTurnsWithTheCapturedBillingLineAreTheRecordedBodies() throws IOException {
        List<AgentReplayRequest> turns = load(AgentReplayTrim.none(), AgentReplaySession.Billing.AS_CAPTURED)
                .mainAgent(3);

        String[] recorded = {"02", "03", "04"};
        for (int i = 0; i < 3; i++) {
            JsonNode expected = JSON.readTree(
                    CAPTURE.resolve(recorded[i] + "-POST-v1_messages.body.json").toFile());
            assertThat(body(turns.get(i))).as("turn %d", i + 1).isEqualTo(expected);
        }
        JsonNode headers = JSON.readTree(
                        CAPTURE.resolve("02-POST-v1_messages.request.json").toFile())
                .path("headers");
        assertThat(turns.getFirst().headers())
                .containsEntry(
                        "x-claude-code-session-id",
                        headers.path("x-claude-code-session-id").asText())
                .containsEntry("anthropic-beta", headers.path("anthropic-beta").asText())
                .doesNotContainKeys("host", "content-length", "accept-encoding");
        // Compact JSON as Claude Code sends it, within a few bytes of the recorded size.
        assertThat(turns.getFirst().bytes()).isBetween(76_600, 76_700);
    }

    @Test
    void theBillingDigitsChangeOnEveryRequestWhileSystemAndToolsStayTheSame() throws IOException {
        List<AgentReplayRequest> turns = load(AgentReplayTrim.ci(), AgentReplaySession.Billing.PER_REQUEST)
                .mainAgent(10);

        List<String> digits = new ArrayList<>();
        JsonNode firstBody = body(turns.getFirst());
        for (AgentReplayRequest r : turns) {
            JsonNode b = body(r);
            Matcher m = BILLING.matcher(b.path("system").get(0).path("text").asText());
            assertThat(m.matches()).as("billing line of turn %d", r.turn()).isTrue();
            digits.add(m.group(1));
            assertThat(b.path("system").get(1))
                    .isEqualTo(firstBody.path("system").get(1));
            assertThat(b.path("system").get(2))
                    .isEqualTo(firstBody.path("system").get(2));
            assertThat(b.path("tools")).isEqualTo(firstBody.path("tools"));
            assertThat(r.headers()).isEqualTo(turns.getFirst().headers());
        }
        for (int i = 1; i < digits.size(); i++) {
            assertThat(digits.get(i)).as("turn %d", i + 1).isNotEqualTo(digits.get(i - 1));
        }
    }

    @Test
    void eachTurnAppendsOneToolCallAndItsResultToTheHistory() throws IOException {
        List<AgentReplayRequest> turns = load(AgentReplayTrim.ci(), AgentReplaySession.Billing.PER_REQUEST)
                .mainAgent(12);

        Set<String> ids = new HashSet<>();
        for (int t = 1; t < turns.size(); t++) {
            ArrayNode before = withoutCacheControl(body(turns.get(t - 1)).path("messages"));
            ArrayNode now = withoutCacheControl(body(turns.get(t)).path("messages"));
            assertThat(now.size()).isEqualTo(before.size() + 2);
            for (int i = 0; i < before.size(); i++) {
                assertThat(now.get(i)).as("turn %d message %d", t + 1, i).isEqualTo(before.get(i));
            }
            JsonNode assistant = now.get(before.size());
            JsonNode user = now.get(before.size() + 1);
            assertThat(assistant.path("role").asText()).isEqualTo("assistant");
            JsonNode use =
                    assistant.path("content").get(assistant.path("content").size() - 1);
            assertThat(use.path("type").asText()).isEqualTo("tool_use");
            assertThat(ids.add(use.path("id").asText()))
                    .as("tool_use id %s unique", use.path("id"))
                    .isTrue();
            assertThat(toolNames(body(turns.get(t)))).contains(use.path("name").asText());
            JsonNode result = user.path("content").get(0);
            assertThat(result.path("type").asText()).isEqualTo("tool_result");
            assertThat(result.path("tool_use_id").asText())
                    .isEqualTo(use.path("id").asText());
            assertThat(result.path("content").isTextual()).isTrue();
        }
        // The first two calls are the recorded ones.
        JsonNode third = body(turns.get(2)).path("messages");
        assertThat(third.get(2).path("content").get(1).path("name").asText()).isEqualTo("Bash");
        assertThat(third.get(4).path("content").get(1).path("id").asText()).isEqualTo("toolu_capture_0003_1");
    }

    @Test
    void cacheControlMarksOnlyTheLastBlockOfTheLastUserMessage() throws IOException {
        for (AgentReplayRequest r : load(AgentReplayTrim.ci(), AgentReplaySession.Billing.PER_REQUEST)
                .mainAgent(5)) {
            JsonNode messages = body(r).path("messages");
            List<String> marked = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                JsonNode content = messages.get(i).path("content");
                for (int j = 0; j < content.size(); j++) {
                    if (content.get(j).has("cache_control")) {
                        marked.add(i + "/" + j);
                    }
                }
            }
            int lastUser = r.turn() == 1 ? 0 : messages.size() - 1;
            assertThat(marked)
                    .as("turn %d", r.turn())
                    .containsExactly(lastUser + "/"
                            + (messages.get(lastUser).path("content").size() - 1));
        }
    }

    @Test
    void theCiTrimBoundsEverySizeButKeepsClaudeCodesShape() throws IOException {
        List<AgentReplayRequest> turns = load(AgentReplayTrim.ci(), AgentReplaySession.Billing.PER_REQUEST)
                .mainAgent(10);
        JsonNode last = body(turns.getLast());

        assertThat(iterate(last.fieldNames()))
                .containsExactly(
                        "model",
                        "messages",
                        "system",
                        "tools",
                        "metadata",
                        "max_tokens",
                        "thinking",
                        "context_management",
                        "output_config",
                        "stream");
        assertThat(last.path("system")).hasSize(3);
        assertThat(last.path("system").get(1).path("text").asText())
                .isEqualTo("You are a Claude agent, built on Anthropic's Claude Agent SDK.");
        assertThat(last.path("system").get(2).path("text").asText())
                .hasSize(3000)
                .startsWith("\nYou are an interactive agent that helps users with software engineering tasks.");
        assertThat(toolNames(last)).containsExactly("Bash", "Edit", "Read");
        assertThat(last.path("messages").get(1).path("role").asText()).isEqualTo("system");
        assertThat(last.path("messages").get(1).path("content").asText()).hasSize(1000);
        assertThat(last.path("max_tokens").asInt()).isEqualTo(8);
        for (JsonNode m : last.path("messages")) {
            for (JsonNode b : m.path("content")) {
                if (b.path("type").asText().equals("tool_result")) {
                    assertThat(b.path("content").asText().length()).isLessThanOrEqualTo(300);
                }
            }
        }
        assertThat(turns.getFirst().bytes()).isBetween(9_000, 12_000);
    }

    @Test
    void theSubAgentHasItsOwnPromptAndReadOnlyToolsInTheSameSession() throws IOException {
        AgentReplaySession session = load(AgentReplayTrim.ci(), AgentReplaySession.Billing.PER_REQUEST);
        List<AgentReplayRequest> main = session.mainAgent(3);
        List<AgentReplayRequest> sub = session.subAgent(3);
        JsonNode m = body(main.getFirst());
        JsonNode s = body(sub.getFirst());

        assertThat(toolNames(s)).containsExactly("Bash", "Read", "WebFetch", "WebSearch");
        assertThat(s.path("system").get(1)).isEqualTo(m.path("system").get(1));
        assertThat(s.path("system").get(2).path("text").asText())
                .isNotEqualTo(m.path("system").get(2).path("text").asText())
                .contains("read-only search agent");
        assertThat(BILLING.matcher(s.path("system").get(0).path("text").asText())
                        .matches())
                .isTrue();
        assertThat(s.path("messages")).hasSize(1);
        assertThat(sub.getFirst().headers()).isEqualTo(main.getFirst().headers());
        assertThat(body(sub.get(2)).path("messages")).hasSize(5);

        List<AgentReplayRequest> both = AgentReplaySession.interleave(main, sub);
        assertThat(both)
                .extracting(r -> r.agent() + r.turn())
                .containsExactly("main1", "sub1", "main2", "sub2", "main3", "sub3");
    }

    @Test
    void aLongToolResultIsCutToTheLimitWithAMarker() {
        String cut = AgentReplayTrim.cap("x".repeat(1000), 300);
        assertThat(cut).hasSize(300).endsWith(AgentReplayTrim.CUT_MARKER);
        assertThat(AgentReplayTrim.cap("short", 300)).isEqualTo("short");
        assertThat(AgentReplayTrim.cap("x".repeat(1000), 0)).hasSize(1000);
    }

    @Test
    void aFolderWithoutACaptureIsRefusedWithTheReason(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> AgentReplaySession.load(
                        dir, AgentReplayTrim.ci(), AgentReplaySession.Billing.PER_REQUEST, JSON))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no NN-POST-v1_messages.body.json");
        Files.writeString(dir.resolve("02-POST-v1_messages.body.json"), "{\"messages\":[]}");
        assertThatThrownBy(() -> AgentReplaySession.load(
                        dir, AgentReplayTrim.ci(), AgentReplaySession.Billing.PER_REQUEST, JSON))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a Claude Code main-agent body");
        assertThatThrownBy(() -> new AgentReplayTrim(0, 0, 2, 10, 8)).hasMessageContaining("tool-result-chars: 10");
    }

    private static ArrayNode withoutCacheControl(JsonNode messages) {
        ArrayNode copy = (ArrayNode) messages.deepCopy();
        for (JsonNode m : copy) {
            for (JsonNode b : m.path("content")) {
                ((ObjectNode) b).remove("cache_control");
            }
        }
        return copy;
    }

    private static List<String> toolNames(JsonNode body) {
        List<String> names = new ArrayList<>();
        body.path("tools").forEach(t -> names.add(t.path("name").asText()));
        return names;
    }

    private static List<String> iterate(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
