package dev.anyclaude.prefix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.Tool;
import dev.anyclaude.time.Clock;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PromptShapeTest {

    static MessagesRequest request(String system, List<Message> messages) {
        return new MessagesRequest(
                "m",
                100,
                List.of(new ContentBlock.Text(system)),
                messages,
                List.of(new Tool("Bash", "run", "{\"type\":\"object\"}", null)),
                null,
                null,
                null,
                null,
                List.of(),
                null,
                null,
                null,
                true);
    }

    static Message user(String text) {
        return new Message(Role.USER, List.of(new ContentBlock.Text(text)));
    }

    @Provide
    Arbitrary<List<Message>> conversations() {
        Arbitrary<Message> message = Combinators.combine(
                        Arbitraries.of(Role.values()),
                        Arbitraries.strings().ofMinLength(0).ofMaxLength(300))
                .as((role, text) -> new Message(role, List.of(new ContentBlock.Text(text))));
        return message.list().ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 300)
    void aGrowingConversationNeverDiverges(
            @ForAll("conversations") List<Message> whole, @ForAll @IntRange(min = 1, max = 12) int cut) {
        int n = Math.min(cut, whole.size());
        PromptShape prefix = PromptShape.of(request("sys", whole.subList(0, n)));
        PromptShape full = PromptShape.of(request("sys", whole));
        assertThat(full.divergenceFrom(prefix)).isNull();
    }

    @Property(tries = 300)
    void aChangedMessageIsNamedWithAnOffsetInsideIt(
            @ForAll("conversations") List<Message> whole, @ForAll @IntRange(min = 0, max = 11) int at) {
        int k = Math.min(at, whole.size() - 1);
        List<Message> changed = new ArrayList<>(whole);
        Message m = whole.get(k);
        String text = ((ContentBlock.Text) m.content().getFirst()).text();
        changed.set(k, new Message(m.role(), List.of(new ContentBlock.Text(text + "!"))));
        PromptShape before = PromptShape.of(request("sys", whole));
        PromptShape after = PromptShape.of(request("sys", changed));

        PromptShape.Divergence d = after.divergenceFrom(before);

        assertThat(d).isNotNull();
        assertThat(d.part()).isEqualTo("messages[" + k + "]");
        assertThat(d.offsetInPart()).isLessThanOrEqualTo(m.role().wire().length() + 1 + text.length());
        assertThat(d.reusableChars()).isEqualTo(d.charOffset());
    }

    @Test
    void aChangedSystemPromptDivergesAtTheStart() {
        PromptShape a = PromptShape.of(
                request("x-anthropic-billing-header: cc_version=2.1.197.123;\nYou are Claude.", List.of(user("hi"))));
        PromptShape b = PromptShape.of(request(
                "x-anthropic-billing-header: cc_version=2.1.197.9f0;\nYou are Claude.",
                List.of(user("hi"), user("more"))));

        PromptShape.Divergence d = b.divergenceFrom(a);

        assertThat(d.part()).isEqualTo("system");
        assertThat(d.charOffset()).isZero();
    }

    @Test
    void streamsTellExtensionsFromDivergences() {
        ConversationStreams streams = new ConversationStreams(16, Clock.SYSTEM);
        List<Message> turn1 = List.of(user("hello"));
        List<Message> turn2 = List.of(
                user("hello"), new Message(Role.ASSISTANT, List.of(new ContentBlock.Text("hi"))), user("again"));

        ConversationStreams.Identity first = streams.identify("s1", request("sys", turn1));
        ConversationStreams.Identity second = streams.identify("s1", request("sys", turn2));
        ConversationStreams.Identity subAgent = streams.identify("s1", request("other agent", turn1));

        assertThat(first.divergence()).isNull();
        assertThat(second.divergence()).isNull();
        assertThat(second.streamKey()).isEqualTo(first.streamKey());
        assertThat(subAgent.streamKey()).isNotEqualTo(first.streamKey());
    }
}
