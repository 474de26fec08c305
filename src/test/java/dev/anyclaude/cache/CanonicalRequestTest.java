package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Role;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.junit.jupiter.api.Test;

class CanonicalRequestTest {

    @Property(tries = 3000, edgeCases = EdgeCasesMode.NONE)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void nearRequestsEncodeAlikeExactlyWhenTheyAgreeOnEveryKeyedField(
            @ForAll("nearPairs") Tuple.Tuple2<MessagesRequest, MessagesRequest> pair) {
        MessagesRequest a = pair.get1();
        MessagesRequest b = pair.get2();
        boolean sameKeyedContent = RequestArbitraries.keyedContent(a).equals(RequestArbitraries.keyedContent(b));

        byte[] ea = CanonicalRequest.encode(a);
        byte[] eb = CanonicalRequest.encode(b);

        assertThat(Arrays.equals(ea, eb)).as("bytes equal").isEqualTo(sameKeyedContent);
        assertThat(CacheKey.of(a).hex().equals(CacheKey.of(b).hex()))
                .as("hashes equal")
                .isEqualTo(sameKeyedContent);
        Statistics.collect(sameKeyedContent ? "same key" : "different key");
        Statistics.coverage(c -> {
            c.check("same key").percentage(p -> p > 10);
            c.check("different key").percentage(p -> p > 30);
        });
    }

    @Property(tries = 1000)
    void independentRequestsEncodeAlikeExactlyWhenTheyAgreeOnEveryKeyedField(
            @ForAll("requests") MessagesRequest a, @ForAll("requests") MessagesRequest b) {
        boolean sameKeyedContent = RequestArbitraries.keyedContent(a).equals(RequestArbitraries.keyedContent(b));
        assertThat(Arrays.equals(CanonicalRequest.encode(a), CanonicalRequest.encode(b)))
                .isEqualTo(sameKeyedContent);
    }

    @Property(tries = 500)
    void encodingIsDeterministic(@ForAll("requests") MessagesRequest a) {
        MessagesRequest copy = RequestArbitraries.renameToolIds(a, id -> new String(id.toCharArray()));
        assertThat(CanonicalRequest.encode(copy)).isEqualTo(CanonicalRequest.encode(a));
    }

    @Provide
    Arbitrary<Tuple.Tuple2<MessagesRequest, MessagesRequest>> nearPairs() {
        return RequestArbitraries.nearPairs();
    }

    @Provide
    Arbitrary<MessagesRequest> requests() {
        return RequestArbitraries.requests();
    }

    @Test
    void ignoresTheStreamFlag() {
        MessagesRequest r = Samples.request("say hi");
        assertThat(CanonicalRequest.encode(Samples.withStream(r, false)))
                .isEqualTo(CanonicalRequest.encode(Samples.withStream(r, true)));
    }

    @Test
    void splittingTextDifferentlyChangesTheKey() {
        MessagesRequest r = Samples.request("x");
        byte[] abC = CanonicalRequest.encode(r.withSystem(List.of(text("ab"), text("c"))));
        byte[] aBc = CanonicalRequest.encode(r.withSystem(List.of(text("a"), text("bc"))));
        byte[] abc = CanonicalRequest.encode(r.withSystem(List.of(text("abc"))));
        assertThat(abC).isNotEqualTo(aBc).isNotEqualTo(abc);
        assertThat(aBc).isNotEqualTo(abc);
    }

    @Test
    void absentEmptyAndNullAreThreeDifferentThings() {
        MessagesRequest r = Samples.request("x");
        byte[] none = CanonicalRequest.encode(r.withSystem(null));
        byte[] empty = CanonicalRequest.encode(r.withSystem(List.of()));
        byte[] emptyText = CanonicalRequest.encode(r.withSystem(List.of(text(""))));
        byte[] nullText = CanonicalRequest.encode(r.withSystem(List.of(text(null))));
        assertThat(List.of(none, empty, emptyText, nullText).stream()
                        .map(Arrays::toString)
                        .distinct())
                .hasSize(4);
    }

    @Test
    void loneSurrogateIsNotConfusedWithTheReplacementCharacterUtf8WouldUse() {
        assertThat(CanonicalRequest.encode(Samples.request("\uD83D")))
                .isNotEqualTo(CanonicalRequest.encode(Samples.request("?")))
                .isNotEqualTo(CanonicalRequest.encode(Samples.request("\uFFFD")));
    }

    @Test
    void blockKindIsPartOfTheKey() {
        MessagesRequest text = Samples.request("x")
                .withMessages(List.of(new Message(Role.USER, List.of(new ContentBlock.Text("same")))));
        MessagesRequest thinking =
                text.withMessages(List.of(new Message(Role.USER, List.of(new ContentBlock.RedactedThinking("same")))));
        MessagesRequest assistant =
                text.withMessages(List.of(new Message(Role.ASSISTANT, List.of(new ContentBlock.Text("same")))));
        assertThat(CanonicalRequest.encode(text))
                .isNotEqualTo(CanonicalRequest.encode(thinking))
                .isNotEqualTo(CanonicalRequest.encode(assistant));
    }

    @Test
    void renamingToolIdsConsistentlyKeepsTheKeyButRelinkingAResultChangesIt() {
        MessagesRequest original = toolConversation("toolu_A", "toolu_B", "toolu_A", "toolu_B");
        MessagesRequest renamed = toolConversation("toolu_X", "toolu_Y", "toolu_X", "toolu_Y");
        MessagesRequest relinked = toolConversation("toolu_A", "toolu_B", "toolu_B", "toolu_A");
        assertThat(CanonicalRequest.encode(renamed)).isEqualTo(CanonicalRequest.encode(original));
        assertThat(CanonicalRequest.encode(relinked)).isNotEqualTo(CanonicalRequest.encode(original));
    }

    @Test
    void everySamplingAndOutputSettingIsPartOfTheKey() {
        MessagesRequest base = Samples.request("x");
        List<MessagesRequest> variants = List.of(
                base,
                base.withModel("other-model"),
                base.withMaxTokens(1025),
                Samples.withTemperature(base, 0.0),
                new MessagesRequest(
                        base.model(),
                        base.maxTokens(),
                        base.system(),
                        base.messages(),
                        base.tools(),
                        base.toolChoice(),
                        null,
                        0.9,
                        null,
                        null,
                        null,
                        null,
                        null,
                        true),
                new MessagesRequest(
                        base.model(),
                        base.maxTokens(),
                        base.system(),
                        base.messages(),
                        base.tools(),
                        base.toolChoice(),
                        null,
                        null,
                        40,
                        null,
                        null,
                        null,
                        null,
                        true),
                new MessagesRequest(
                        base.model(),
                        base.maxTokens(),
                        base.system(),
                        base.messages(),
                        base.tools(),
                        base.toolChoice(),
                        null,
                        null,
                        null,
                        List.of("END"),
                        null,
                        null,
                        null,
                        true),
                new MessagesRequest(
                        base.model(),
                        base.maxTokens(),
                        base.system(),
                        base.messages(),
                        base.tools(),
                        base.toolChoice(),
                        null,
                        null,
                        null,
                        null,
                        new dev.anyclaude.messages.ThinkingConfig("adaptive", 0),
                        null,
                        null,
                        true),
                new MessagesRequest(
                        base.model(),
                        base.maxTokens(),
                        base.system(),
                        base.messages(),
                        base.tools(),
                        base.toolChoice(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        "{\"type\":\"object\"}",
                        null,
                        true),
                new MessagesRequest(
                        base.model(),
                        base.maxTokens(),
                        base.system(),
                        base.messages(),
                        base.tools(),
                        base.toolChoice(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        "high",
                        true),
                new MessagesRequest(
                        base.model(),
                        base.maxTokens(),
                        base.system(),
                        base.messages(),
                        base.tools(),
                        new dev.anyclaude.messages.ToolChoice("any", null, false),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        true),
                new MessagesRequest(
                        base.model(),
                        base.maxTokens(),
                        base.system(),
                        base.messages(),
                        List.of(new dev.anyclaude.messages.Tool("Bash", "run", "{}", null)),
                        base.toolChoice(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        true));
        assertThat(variants.stream()
                        .map(CanonicalRequest::encode)
                        .map(Arrays::toString)
                        .distinct())
                .hasSize(variants.size());
    }

    private static ContentBlock.Text text(String s) {
        return new ContentBlock.Text(s);
    }

    /** Two tool calls, then two results pointing at {@code result1} and {@code result2}. */
    private static MessagesRequest toolConversation(String call1, String call2, String result1, String result2) {
        List<Message> ms = new ArrayList<>();
        ms.add(new Message(Role.USER, List.of(new ContentBlock.Text("status and readme"))));
        ms.add(new Message(
                Role.ASSISTANT,
                List.of(
                        new ContentBlock.ToolUse(call1, "Bash", "{\"command\":\"git status\"}"),
                        new ContentBlock.ToolUse(call2, "Read", "{\"file_path\":\"README.md\"}"))));
        ms.add(new Message(
                Role.USER,
                List.of(
                        new ContentBlock.ToolResult(result1, List.of(new ContentBlock.Text("clean")), false),
                        new ContentBlock.ToolResult(result2, List.of(new ContentBlock.Text("# calc")), false))));
        return Samples.request("x").withMessages(ms);
    }
}
