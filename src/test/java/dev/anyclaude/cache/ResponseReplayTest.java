package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.messages.Ids;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import dev.anyclaude.time.ManualClock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResponseReplayTest {
    private static final String BASE62_24 = "[0-9A-Za-z]{24}";

    @Test
    void replaysCachedStreamWithFreshMessageAndToolUseIds() throws IOException {
        try (ResponseCache cache = new ResponseCache(ResponseCacheConfig.defaults(), new ManualClock())) {
            var request = Samples.request("git status, then README");
            Samples.answerMiss(cache, cache.lookup(request, CacheDirectives.NONE), Samples.toolAnswer());

            List<StreamEvent> first = ((Lookup.Hit) cache.lookup(request, CacheDirectives.NONE)).events();
            List<StreamEvent> second = ((Lookup.Hit) cache.lookup(request, CacheDirectives.NONE)).events();

            String id1 = messageId(first);
            String id2 = messageId(second);
            assertThat(id1)
                    .matches("msg_" + BASE62_24)
                    .isNotEqualTo("msg_original")
                    .isNotEqualTo(id2);
            assertThat(id2).matches("msg_" + BASE62_24);

            List<String> tools1 = toolUseIds(first);
            List<String> tools2 = toolUseIds(second);
            assertThat(tools1)
                    .hasSize(2)
                    .doesNotHaveDuplicates()
                    .allMatch(id -> id.matches("toolu_" + BASE62_24))
                    .doesNotContain("toolu_original_a", "toolu_original_b");
            assertThat(tools2).hasSize(2).doesNotHaveDuplicates().doesNotContainAnyElementsOf(tools1);

            // Everything but ids and usage is the stored answer, event for event.
            assertThat(withoutIdsAndUsage(first)).isEqualTo(withoutIdsAndUsage(Samples.toolAnswer()));
        }
    }

    @Test
    void oneOriginalToolIdMapsToOneFreshIdWithinAResponse() {
        List<StreamEvent> stored = List.of(
                new StreamEvent.MessageStart("msg_x", "m", Usage.ZERO),
                new StreamEvent.BlockStart(0, new StreamEvent.ToolUseBlock("dup", "A")),
                new StreamEvent.BlockStop(0),
                new StreamEvent.BlockStart(1, new StreamEvent.ToolUseBlock("dup", "B")),
                new StreamEvent.BlockStop(1),
                new StreamEvent.BlockStart(2, new StreamEvent.ToolUseBlock("other", "C")),
                new StreamEvent.BlockStop(2));
        List<String> ids = toolUseIds(ResponseReplay.events(stored, "m", Ids.DEFAULT));
        assertThat(ids.get(0)).isEqualTo(ids.get(1)).isNotEqualTo(ids.get(2));
    }

    @Test
    void freshIdsDoNotRepeatAcrossManyReplays() {
        Ids ids = Ids.DEFAULT;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            assertThat(seen.add(ids.toolUse())).isTrue();
            assertThat(seen.add(ids.message())).isTrue();
        }
    }

    @Test
    void mapsRandomBytesToBase62SkippingTheBytesThatWouldBiasIt() {
        // A generator that hands out 244, 245, ... 255, 0, 1, ...: 248-255 must be skipped.
        java.util.random.RandomGenerator counting = new java.util.random.RandomGenerator() {
            private int next = 244;

            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void nextBytes(byte[] bytes) {
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) next++;
                }
            }
        };
        assertThat(new Ids(counting).toolUse()).isEqualTo("toolu_wxyz0123456789ABCDEFGHIJ");
    }

    @Test
    void reportsThePromptAsReadFromCacheAndKeepsTheOutputCount() {
        List<StreamEvent> replay = ResponseReplay.events(Samples.toolAnswer(), "local-model", Ids.DEFAULT);

        StreamEvent.MessageStart start = (StreamEvent.MessageStart) replay.getFirst();
        assertThat(start.usage()).isEqualTo(new Usage(0, 1, 2030, 0));
        StreamEvent.MessageDelta delta = replay.stream()
                .filter(StreamEvent.MessageDelta.class::isInstance)
                .map(StreamEvent.MessageDelta.class::cast)
                .findFirst()
                .orElseThrow();
        // The stored delta reported only output tokens; the replay carries the prompt as cached too.
        assertThat(delta.usage()).isEqualTo(new Usage(0, 55, 2030, 0));
    }

    @Test
    void fillsInTheRequestedModelWhenTheStoredStartHasNone() {
        List<StreamEvent> stored = List.of(new StreamEvent.MessageStart(null, null, null), StreamEvent.MESSAGE_STOP);
        StreamEvent.MessageStart start = (StreamEvent.MessageStart)
                ResponseReplay.events(stored, "claude-opus-4-8", Ids.DEFAULT).getFirst();
        assertThat(start.model()).isEqualTo("claude-opus-4-8");
        assertThat(start.id()).startsWith("msg_");
    }

    private static String messageId(List<StreamEvent> events) {
        return ((StreamEvent.MessageStart) events.getFirst()).id();
    }

    private static List<String> toolUseIds(List<StreamEvent> events) {
        List<String> ids = new ArrayList<>();
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.BlockStart(int i, StreamEvent.ToolUseBlock b)) {
                ids.add(b.id());
            }
        }
        return ids;
    }

    private static List<StreamEvent> withoutIdsAndUsage(List<StreamEvent> events) {
        return events.stream()
                .map(e -> switch (e) {
                    case StreamEvent.MessageStart s -> new StreamEvent.MessageStart(null, s.model(), null);
                    case StreamEvent.BlockStart(int i, StreamEvent.ToolUseBlock b) ->
                        new StreamEvent.BlockStart(i, new StreamEvent.ToolUseBlock(null, b.name()));
                    case StreamEvent.MessageDelta d ->
                        new StreamEvent.MessageDelta(d.stopReason(), d.stopSequence(), null);
                    default -> e;
                })
                .toList();
    }
}
