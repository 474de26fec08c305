package dev.anyclaude.backend.embedded;

import static dev.anyclaude.backend.embedded.Requests.assistant;
import static dev.anyclaude.backend.embedded.Requests.request;
import static dev.anyclaude.backend.embedded.Requests.sampling;
import static dev.anyclaude.backend.embedded.Requests.system;
import static dev.anyclaude.backend.embedded.Requests.tool;
import static dev.anyclaude.backend.embedded.Requests.user;
import static dev.anyclaude.backend.embedded.Requests.withTools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.engine.EngineConfig;
import dev.anyclaude.engine.GgufWriter;
import dev.anyclaude.engine.TestModels;
import dev.anyclaude.engine.TinyLlamaSpec;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.ToolChoice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBackendTest {

    static EmbeddedBackend backend;

    @BeforeAll
    static void open() {
        // Split-invariant: stopsAtARequestedStopSequence replays a greedy answer from a reused prefix.
        backend = new EmbeddedBackend(TestModels.splitInvariantConfig(2));
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** Generates through the stop-sequence filter, as the gateway's request path does for every backend. */
    static List<StreamEvent> generate(MessagesRequest r) throws IOException {
        List<StreamEvent> events = new ArrayList<>();
        try {
            backend.generate(
                    new BackendRequest(r, null, "req"),
                    dev.anyclaude.translate.StopSequenceFilter.wrap(
                            events::add, r.stopSequences() == null ? List.of() : r.stopSequences()));
        } catch (dev.anyclaude.translate.GenerationStopped stopped) {
            // a stop sequence matched: the response is complete
        }
        return events;
    }

    static StreamEvent.MessageDelta delta(List<StreamEvent> events) {
        return (StreamEvent.MessageDelta) events.get(events.size() - 2);
    }

    static String text(List<StreamEvent> events) {
        StringBuilder sb = new StringBuilder();
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.BlockDelta d && d.delta() instanceof StreamEvent.TextDelta t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }

    @Test
    void streamsAMessageInAnthropicEventOrder() throws IOException {
        MessagesRequest r = request("You are terse.", List.of(user("Say something about prefix caches.")));
        List<StreamEvent> events = generate(r);

        assertThat(events.getFirst()).isInstanceOf(StreamEvent.MessageStart.class);
        assertThat(events.getLast()).isInstanceOf(StreamEvent.MessageStop.class);
        StreamEvent.MessageDelta delta = delta(events);
        assertThat(delta.stopReason()).isIn(StopReason.END_TURN, StopReason.MAX_TOKENS);
        int open = -1;
        int next = 0;
        for (StreamEvent e : events.subList(1, events.size() - 2)) {
            switch (e) {
                case StreamEvent.BlockStart s -> {
                    assertThat(open)
                            .as("a block opens only after the previous one stopped")
                            .isEqualTo(-1);
                    assertThat(s.index()).isEqualTo(next++);
                    open = s.index();
                }
                case StreamEvent.BlockDelta d -> assertThat(d.index()).isEqualTo(open);
                case StreamEvent.BlockStop s -> {
                    assertThat(s.index()).isEqualTo(open);
                    open = -1;
                }
                default -> throw new AssertionError("unexpected event " + e);
            }
        }
        assertThat(open).isEqualTo(-1);
        long prompt = backend.countTokens(new BackendRequest(r, null, "c")).tokens();
        assertThat(delta.usage().inputTokens() + delta.usage().cacheReadInputTokens())
                .isEqualTo(prompt);
        assertThat(delta.usage().outputTokens()).isBetween(1L, 16L);
        StreamEvent.MessageStart start = (StreamEvent.MessageStart) events.getFirst();
        assertThat(start.usage().inputTokens() + start.usage().cacheReadInputTokens())
                .isEqualTo(prompt);
    }

    @Test
    void reportsThePromptTokensTakenFromTheCacheAsCacheRead() throws IOException {
        List<dev.anyclaude.messages.Message> turn1 =
                List.of(system("Context: " + TestModels.text(100, 300)), user("First question?"));
        MessagesRequest first = request("You help with code.", turn1);
        generate(first);
        List<dev.anyclaude.messages.Message> turn2 = new ArrayList<>(turn1);
        turn2.add(assistant("An answer."));
        turn2.add(user("Second question?"));
        MessagesRequest second = request("You help with code.", turn2);

        StreamEvent.MessageDelta delta = delta(generate(second));
        long firstPrompt =
                backend.countTokens(new BackendRequest(first, null, "c")).tokens();
        long secondPrompt =
                backend.countTokens(new BackendRequest(second, null, "c")).tokens();
        assertThat(delta.usage().cacheReadInputTokens()).isGreaterThanOrEqualTo(firstPrompt);
        assertThat(delta.usage().inputTokens())
                .isEqualTo(secondPrompt - delta.usage().cacheReadInputTokens());
        assertThat(backend.slotStats())
                .anySatisfy(s -> assertThat(s.reusedTokens()).isGreaterThanOrEqualTo(firstPrompt));
    }

    /**
     * A random-weight model cannot call a tool on its own; under the grammar a forced tool_choice builds it can
     * only: the call parses, names a request tool and its input matches the schema (here an enum), whatever the
     * seed.
     */
    @Test
    void aForcedToolChoiceMakesEvenARandomModelWriteAValidCall() throws IOException {
        dev.anyclaude.messages.Tool pick = new dev.anyclaude.messages.Tool(
                "Pick",
                "Picks a command.",
                "{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\",\"enum\":[\"ls\",\"pwd\"]}},"
                        + "\"required\":[\"command\"],\"additionalProperties\":false}",
                null);
        for (int seed = 1; seed <= 3; seed++) {
            MessagesRequest r = sampling(
                            withTools(
                                    request(null, List.of(user("Run something " + seed))),
                                    List.of(pick),
                                    new ToolChoice("any", null, true)),
                            1.0,
                            null,
                            null,
                            null)
                    .withMaxTokens(200);
            List<StreamEvent> events = generate(r);
            assertThat(delta(events).stopReason()).as("seed %d", seed).isEqualTo(StopReason.TOOL_USE);
            StreamEvent.ToolUseBlock call = events.stream()
                    .filter(e -> e instanceof StreamEvent.BlockStart b && b.block() instanceof StreamEvent.ToolUseBlock)
                    .map(e -> (StreamEvent.ToolUseBlock) ((StreamEvent.BlockStart) e).block())
                    .findFirst()
                    .orElseThrow();
            assertThat(call.name()).isEqualTo("Pick");
            assertThat(call.id()).startsWith("toolu_");
            StringBuilder input = new StringBuilder();
            for (StreamEvent e : events) {
                if (e instanceof StreamEvent.BlockDelta d && d.delta() instanceof StreamEvent.InputJsonDelta j) {
                    input.append(j.partialJson());
                }
            }
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(input.toString())
                            .path("command")
                            .asText())
                    .isIn("ls", "pwd");
        }
    }

    @Test
    void stopsAtARequestedStopSequence() throws IOException {
        MessagesRequest r = sampling(request(null, List.of(user("Continue: abc"))), 0.0, null, null, null);
        r = r.withMaxTokens(30);
        String free = text(generate(r));
        String seq = null;
        for (int i = 2; i + 2 <= free.length(); i++) {
            String candidate = free.substring(i, i + 2);
            if (candidate.isBlank() || candidate.indexOf('\uFFFD') >= 0) {
                continue;
            }
            seq = candidate;
            break;
        }
        assertThat(seq)
                .as("free output long enough to pick a stop sequence from: %s", free)
                .isNotNull();
        List<StreamEvent> events = generate(sampling(r, 0.0, null, null, List.of("never-said", seq)));
        StreamEvent.MessageDelta delta = delta(events);
        assertThat(delta.stopReason()).isEqualTo(StopReason.STOP_SEQUENCE);
        assertThat(delta.stopSequence()).isEqualTo(seq);
        assertThat(text(events)).doesNotContain(seq);
        assertThat(free.strip()).startsWith(text(events));
    }

    @Test
    void stopsGeneratingWhenTheClientLeaves() throws IOException {
        MessagesRequest r = request(null, List.of(user("Talk for a while.")));
        int[] deltas = {0};
        assertThatThrownBy(() -> backend.generate(new BackendRequest(r.withMaxTokens(200), null, "r"), e -> {
                    if (e instanceof StreamEvent.BlockDelta && ++deltas[0] == 2) {
                        throw new IOException("broken pipe");
                    }
                }))
                .isInstanceOf(IOException.class)
                .hasMessage("broken pipe");
        assertThat(deltas[0]).isEqualTo(2);
        assertThat(delta(generate(r)).usage().outputTokens()).isPositive();
    }

    @Test
    void refusesAPromptLongerThanTheContextWithTheCompactionWording() {
        MessagesRequest r = request(null, List.of(user(TestModels.text(101, 1500))));
        assertThatThrownBy(() -> generate(r))
                .isInstanceOfSatisfying(
                        GatewayException.class, g -> assertThat(g.kind()).isEqualTo(ErrorKind.CONTEXT_OVERFLOW))
                .hasMessageMatching("prompt is too long: \\d+ tokens > 1024 maximum");
    }

    @Test
    void rejectsInvalidSamplingParameters() {
        MessagesRequest ok = request(null, List.of(user("hi")));
        assertInvalid(ok.withMaxTokens(0), "max_tokens");
        assertInvalid(sampling(ok, -1.0, null, null, null), "temperature");
        assertInvalid(sampling(ok, Double.NaN, null, null, null), "temperature");
        assertInvalid(sampling(ok, 0.5, 0.0, null, null), "top_p");
        assertInvalid(sampling(ok, 0.5, null, -3, null), "top_k");
        assertInvalid(withTools(ok, List.of(tool("Bash")), new ToolChoice("tool", "Nope", false)), "tool_choice.name");
        assertInvalid(withTools(ok, List.of(), new ToolChoice("any", null, false)), "tool_choice");
        assertInvalid(
                withTools(ok, List.of(tool("Bash")), new ToolChoice("sometimes", null, false)), "tool_choice.type");
        assertInvalid(request(null, List.of()), "messages");
    }

    private static void assertInvalid(MessagesRequest r, String field) {
        assertThatThrownBy(() -> generate(r))
                .isInstanceOfSatisfying(
                        GatewayException.class, g -> assertThat(g.kind()).isEqualTo(ErrorKind.INVALID_REQUEST))
                .hasMessageStartingWith(field + ":");
    }

    @Test
    void describesItselfAndServesItsModelName() {
        assertThat(backend.name()).isEqualTo("embedded");
        assertThat(backend.models()).containsExactly("tiny-256x4-gqa2-seed1");
        assertThat(backend.readiness().ready()).isTrue();
        assertThat(backend.contextTokens()).isEqualTo(1024);
        assertThat(backend.describe()).contains("chatml with Hermes tools", "2 slots x 1024 tokens");
        assertThat(backend.kvBytes()).isPositive();
    }

    @Test
    void refusesAFileThatIsNotAModel(@TempDir Path dir) throws IOException {
        Path junk = java.nio.file.Files.writeString(dir.resolve("junk.gguf"), "not a model at all");
        assertThatThrownBy(() -> new EmbeddedBackend(EngineConfig.defaults(junk)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a GGUF file");
        assertThatThrownBy(() -> new EmbeddedBackend(EngineConfig.defaults(dir.resolve("missing.gguf"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be read");
    }

    @Test
    void refusesASecondModelInTheSameProcess(@TempDir Path dir) throws IOException {
        Path other = dir.resolve("other.gguf");
        GgufWriter.writeTinyLlama(new TinyLlamaSpec(64, 1, 2, 2, 64, 256, 5), other);
        EngineConfig config =
                EngineConfig.defaults(other).withCtxPerSlot(256).withSlots(1).withThreads(1);
        assertThatThrownBy(() -> new EmbeddedBackend(config))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("one model per process");
    }
}
