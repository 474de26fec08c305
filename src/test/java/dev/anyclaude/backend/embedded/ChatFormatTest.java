package dev.anyclaude.backend.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.engine.Grammar;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.Tool;
import dev.anyclaude.messages.ToolChoice;
import dev.anyclaude.time.Clock;
import dev.anyclaude.toolcall.ToolCallSyntax;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The embedded engine's side of a chat: the request through the model's own template (as llama.cpp's server renders
 * it: the golden test holds the interpreter to that), the tool-call format it teaches, the grammar that keeps calls
 * parseable, and the prefix stability a slot's cache depends on.
 */
class ChatFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The generated models' tokens: {@code <s>} added by the tokenizer, as llama.cpp's own vocabularies do. */
    static final dev.anyclaude.template.TemplateTokens TOKENS =
            new dev.anyclaude.template.TemplateTokens("<s>", "</s>", true, false);

    static String template(String name) {
        try (InputStream in = ChatFormatTest.class.getResourceAsStream("/toolcall/templates/" + name + ".jinja")) {
            assertThat(in).as("template " + name + " in the test resources").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static ChatFormat fallback() {
        return new ChatFormat(null, TOKENS, JSON, Clock.SYSTEM);
    }

    static ChatFormat qwen3Coder() {
        return new ChatFormat(template("Qwen3-Coder"), TOKENS, JSON, Clock.SYSTEM);
    }

    static final Tool BASH = new Tool(
            "Bash",
            "Runs a command.",
            "{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}},\"required\":[\"command\"]}",
            null);

    static MessagesRequest toolLoop() {
        List<Message> messages = List.of(
                Requests.user("List the files."),
                new Message(
                        Role.ASSISTANT,
                        List.of(
                                new ContentBlock.Text("Listing."),
                                new ContentBlock.ToolUse("toolu_01", "Bash", "{\"command\":\"ls\"}"))),
                new Message(
                        Role.USER,
                        List.of(new ContentBlock.ToolResult(
                                "toolu_01", List.of(new ContentBlock.Text("a.txt\nb.txt")), false))));
        return Requests.withTools(Requests.request("You are terse.", messages), List.of(BASH), null);
    }

    @Test
    void aModelWithoutATemplateGetsChatmlWithHermesTools() {
        ChatFormat f = fallback();
        assertThat(f.syntax()).isEqualTo(ToolCallSyntax.HERMES);
        String text = f.render(toolLoop()).text();
        assertThat(text)
                .startsWith("<|im_start|>system\nYou are terse.\n\n")
                .contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"Bash\"")
                .contains("<|im_start|>assistant\nListing.\n<tool_call>\n{\"name\": "
                        + "\"Bash\", \"arguments\": {\"command\": \"ls\"}}\n</tool_call><|im_end|>\n")
                .contains("<|im_start|>user\n<tool_response>\na.txt\nb.txt\n</tool_response><|im_end|>\n")
                .endsWith("<|im_start|>assistant\n");
    }

    @Test
    void qwen3CoderRendersItsOwnXmlToolFormatAndIsReadAsSuch() {
        ChatFormat f = qwen3Coder();
        assertThat(f.syntax()).isEqualTo(ToolCallSyntax.QWEN3_CODER);
        String text = f.render(toolLoop()).text();
        assertThat(text)
                .contains("<function=Bash>")
                .contains("<parameter=command>\nls\n</parameter>")
                .contains("<tool_response>\na.txt\nb.txt\n</tool_response>")
                .endsWith("<|im_start|>assistant\n");
        assertThat(f.describe()).contains("the model's own").contains("qwen3_coder");
    }

    @Test
    void aFinalAssistantMessageIsAPrefillTheAnswerContinues() {
        MessagesRequest r =
                Requests.request("s", List.of(Requests.user("Name a color."), Requests.assistant("The color is")));
        assertThat(fallback().render(r).text())
                .endsWith("<|im_start|>user\nName a color.<|im_end|>\n<|im_start|>assistant\nThe color is");
        assertThat(qwen3Coder().render(r).text()).endsWith("<|im_start|>assistant\nThe color is");
    }

    @Test
    void toolChoiceDecidesWhetherTheGrammarIsLazyStrictOrAbsent() {
        ChatFormat f = qwen3Coder();
        MessagesRequest auto = toolLoop();
        assertThat(f.render(auto).grammar()).isNotNull().matches(Grammar::lazy, "lazy");
        assertThat(f.render(Requests.withTools(auto, List.of(BASH), new ToolChoice("any", null, false)))
                        .grammar())
                .isNotNull()
                .matches(g -> !g.lazy(), "strict");
        ChatFormat.Prompt one = f.render(Requests.withTools(auto, List.of(BASH), new ToolChoice("tool", "Bash", true)));
        assertThat(one.grammar()).isNotNull().matches(g -> !g.lazy(), "strict");
        assertThat(one.singleCall()).isTrue();
        assertThat(f.render(Requests.withTools(auto, List.of(BASH), new ToolChoice("none", null, false)))
                        .grammar())
                .isNull();
        assertThat(f.render(Requests.request("s", List.of(Requests.user("hi")))).grammar())
                .isNull();
    }

    @Test
    void aToolChoiceNamingNoToolIsTheClientsError() {
        assertThatThrownBy(() -> qwen3Coder()
                        .render(Requests.withTools(toolLoop(), List.of(BASH), new ToolChoice("tool", "Nope", false))))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST))
                .hasMessageContaining("tool_choice.name")
                .hasMessageContaining("Nope");
    }

    @Test
    void anOutputSchemaBecomesAStrictJsonGrammar() {
        MessagesRequest r = Requests.request("s", List.of(Requests.user("judge")));
        r = new MessagesRequest(
                r.model(),
                r.maxTokens(),
                r.system(),
                r.messages(),
                r.tools(),
                r.toolChoice(),
                r.temperature(),
                r.topP(),
                r.topK(),
                r.stopSequences(),
                r.thinking(),
                "{\"type\":\"object\",\"properties\":{\"outcome\":{\"type\":"
                        + "\"string\",\"enum\":[\"flagged\",\"not_flagged\"]}},\"required\":[\"outcome\"]}",
                r.effort(),
                r.stream());
        Grammar g = qwen3Coder().render(r).grammar();
        assertThat(g).isNotNull();
        assertThat(g.lazy()).isFalse();
        assertThat(g.gbnf()).contains("not_flagged");
    }

    @Test
    void aTemplateThatRejectsLateSystemMessagesGetsThemFolded() {
        ChatFormat f = new ChatFormat(template("Qwen3.5-4B"), TOKENS, JSON, Clock.SYSTEM);
        assertThat(f.describe()).contains("folded").contains("REJECTED");
        List<Message> messages = new ArrayList<>(List.of(
                Requests.user("one"), Requests.system("late note"), Requests.assistant("two"), Requests.user("three")));
        String text = f.render(Requests.request("first", messages)).text();
        assertThat(text).contains("late note");
        assertThat(qwen3Coder().describe()).doesNotContain("folded");
    }

    /**
     * What keeps a slot's cache matching: a conversation's prompt, up to its generation header, is a byte prefix of
     * the prompt of the conversation that answers it and goes on.
     */
    @Property(tries = 60)
    void aConversationsPromptPrefixesThePromptOfItsContinuation(
            @ForAll("conversations") List<Message> turns, @ForAll("formats") String which) {
        ChatFormat f = which.equals("fallback") ? fallback() : qwen3Coder();
        for (int k = 1; k < turns.size(); k++) {
            if (turns.get(k - 1).role() == Role.USER && turns.get(k).role() == Role.ASSISTANT) {
                String before = f.render(
                                Requests.withTools(Requests.request("sys", turns.subList(0, k)), List.of(BASH), null))
                        .text();
                String after = f.render(Requests.withTools(Requests.request("sys", turns), List.of(BASH), null))
                        .text();
                assertThat(after).as("turn %d of %s", k, which).startsWith(before);
            }
        }
    }

    @Provide
    Arbitrary<String> formats() {
        return Arbitraries.of("fallback", "qwen3-coder");
    }

    @Provide
    Arbitrary<List<Message>> conversations() {
        Arbitrary<String> text = Arbitraries.strings()
                .withCharRange('a', 'z')
                .withChars(' ', '\n', '\u00e9')
                .ofMinLength(1)
                .ofMaxLength(20)
                .filter(s -> !s.isBlank());
        Arbitrary<Message> user = text.map(Requests::user);
        Arbitrary<Message> assistant = Combinators.combine(text, Arbitraries.of(true, false))
                .as((t, call) -> call
                        ? new Message(
                                Role.ASSISTANT,
                                List.of(
                                        new ContentBlock.Text(t.strip()),
                                        new ContentBlock.ToolUse(
                                                "toolu_1",
                                                "Bash",
                                                "{\"command\":\"" + t.strip().replace("\n", " ") + "\"}")))
                        : Requests.assistant(t.strip()));
        // user, assistant, user, assistant, ... : the order Claude Code sends
        return Arbitraries.integers().between(2, 6).flatMap(n -> {
            List<Arbitrary<Message>> parts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                parts.add(i % 2 == 0 ? user : assistant);
            }
            return Combinators.combine(parts).as(ArrayList::new);
        });
    }
}
