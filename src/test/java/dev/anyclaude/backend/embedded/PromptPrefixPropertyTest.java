package dev.anyclaude.backend.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.api.ContentBlock;
import dev.anyclaude.api.Message;
import dev.anyclaude.api.MessagesRequest;
import dev.anyclaude.api.Role;
import dev.anyclaude.api.Tool;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The prompt of a conversation, up to its final generation header, is a byte prefix of the prompt of
 * every longer conversation that extends it: what keeps a slot's cache matching turn after turn.
 */
class PromptPrefixPropertyTest {

    static final List<String> NATIVE = List.of("chatml", "llama3", "mistral-v7", "phi3", "gemma", "deepseek3",
            "command-r", "zephyr", "llama2", "vicuna", "granite");

    @Property(tries = 300)
    void chatmlRenderingOfAConversationPrefixesItsExtensions(@ForAll("conversations") MessagesRequest full) {
        assertPrefixStable(new PromptRenderer(new ChatTemplate.Chatml()), full, true);
    }

    @Property(tries = 200)
    void nativeTemplateRenderingOfAConversationPrefixesItsExtensions(
            @ForAll("conversations") MessagesRequest full, @ForAll("templates") String name) {
        ChatTemplate template = ChatTemplate.builtin(LlamaApi.get(null), name);
        assertThat(template).as("llama.cpp knows template %s", name).isNotNull();
        assertPrefixStable(new PromptRenderer(template), full, false);
    }

    @Property(tries = 100)
    void nativeChatmlRendersExactlyLikeOurs(@ForAll("conversations") MessagesRequest full) {
        PromptRenderer ours = new PromptRenderer(new ChatTemplate.Chatml());
        PromptRenderer theirs = new PromptRenderer(ChatTemplate.builtin(LlamaApi.get(null), "chatml"));
        assertThat(theirs.renderConversation(full, true)).isEqualTo(ours.renderConversation(full, true));
    }

    /**
     * Checks every shorter conversation. With {@code headerToo}, also that the generation header (and
     * a prefill) open the assistant turn exactly as it later renders: true for chatml; some llama.cpp
     * templates (granite) end their generation header with a newline their assistant turns lack.
     */
    static void assertPrefixStable(PromptRenderer renderer, MessagesRequest full, boolean headerToo) {
        List<Message> messages = full.messages();
        String whole = renderer.renderConversation(full, false);
        for (int k = 1; k < messages.size(); k++) {
            MessagesRequest part = full.withMessages(messages.subList(0, k));
            assertThat(whole).startsWith(renderer.renderConversation(part, false));
            boolean endsWithAssistant = messages.get(k - 1).role() == Role.ASSISTANT;
            if (headerToo && messages.get(k).role() == Role.ASSISTANT && !endsWithAssistant) {
                assertThat(whole).as("generation header of turn %d", k).startsWith(renderer.render(part).text());
            }
            if (headerToo && endsWithAssistant) {
                assertThat(whole).as("prefill at turn %d", k).startsWith(renderer.render(part).text());
            }
        }
    }

    @Provide
    Arbitrary<String> templates() {
        return Arbitraries.of(NATIVE);
    }

    static Arbitrary<String> texts() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars('\n', '\t', '\u00e9', '\u4e2d', '\u2581')
                .ofMaxLength(24);
    }

    @Provide
    Arbitrary<MessagesRequest> conversations() {
        Arbitrary<String> system = Arbitraries.oneOf(Arbitraries.just(null), texts());
        Arbitrary<List<Tool>> tools = Arbitraries.of(
                List.<Tool>of(),
                List.of(Requests.tool("Bash")),
                List.of(Requests.tool("Bash"), new Tool("Read", "Reads \"files\"\n", "{\"type\":\"object\"}", null),
                        new Tool("web_search", null, null, "web_search_20250305")));
        Arbitrary<List<Message>> messages = message().list().ofMinSize(2).ofMaxSize(8);
        return Combinators.combine(system, tools, messages).as((s, t, m) ->
                Requests.withTools(Requests.request(s, m), t, null));
    }

    static Arbitrary<Message> message() {
        Arbitrary<ContentBlock> userBlock = Arbitraries.oneOf(
                texts().map(ContentBlock.Text::new),
                Combinators.combine(texts(), Arbitraries.of(true, false)).as((t, err) ->
                        new ContentBlock.ToolResult("toolu_1", List.of(new ContentBlock.Text(t)), err)),
                Arbitraries.just(new ContentBlock.Image("image/png", "AAAA", null)));
        Arbitrary<ContentBlock> assistantBlock = Arbitraries.oneOf(
                texts().map(ContentBlock.Text::new),
                texts().map(t -> new ContentBlock.Thinking(t, "sig")),
                texts().map(t -> new ContentBlock.ToolUse("toolu_1", "Bash", "{\"command\":\"" + t.replace("\\", "").replace("\"", "") + "\"}")),
                Arbitraries.just(new ContentBlock.RedactedThinking("xx")));
        Arbitrary<Message> user = userBlock.list().ofMinSize(1).ofMaxSize(3).map(b -> new Message(Role.USER, new ArrayList<>(b)));
        Arbitrary<Message> assistant = assistantBlock.list().ofMinSize(1).ofMaxSize(3)
                .map(b -> new Message(Role.ASSISTANT, new ArrayList<>(b)));
        Arbitrary<Message> system = texts().map(t -> new Message(Role.SYSTEM, List.of(new ContentBlock.Text(t))));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, user), net.jqwik.api.Tuple.of(4, assistant), net.jqwik.api.Tuple.of(1, system));
    }
}
