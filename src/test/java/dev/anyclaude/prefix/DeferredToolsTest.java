package dev.anyclaude.prefix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.Fixtures;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Tool;
import dev.anyclaude.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Claude Code 2.1.332's tool search, as captured ({@code bench capture --scenarios tool-search}): turn 1 sends twelve
 * tools and a {@code DeferredToolPlaceholder}; the model calls ToolSearch {@code select:CronList}; the tool result
 * is a {@code tool_reference}, and from turn 2 on {@code CronList} is in {@code tools} with {@code defer_loading},
 * third by name.
 */
class DeferredToolsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RequestParser PARSER = new RequestParser(JSON);
    private static final Normalizer NORMALIZER = new Normalizer(true);

    private static MessagesRequest turn(int n) {
        return PARSER.parse(Fixtures.read(
                Fixtures.claudeCode().resolve("2.1.332/tool-search/0" + n + "-POST-v1_messages.body.json")));
    }

    @Test
    void aToolReferenceBecomesTheToolsWholeDefinitionAsToolSearchPromisesTheModel() throws Exception {
        MessagesRequest second = turn(2);
        ContentBlock.ToolResult result = second.messages().stream()
                .flatMap(m -> m.content().stream())
                .filter(b -> b instanceof ContentBlock.ToolResult)
                .map(b -> (ContentBlock.ToolResult) b)
                .findFirst()
                .orElseThrow();
        assertThat(result.content()).hasSize(1);
        String text = ((ContentBlock.Text) result.content().getFirst()).text();
        assertThat(text).startsWith("<functions>\n<function>{\"description\": ").endsWith("}</function>\n</functions>");
        Tool cronList = second.tools().stream()
                .filter(t -> t.name().equals("CronList"))
                .findFirst()
                .orElseThrow();
        assertThat(cronList.deferLoading()).isTrue();
        String json = text.substring(text.indexOf("<function>") + 10, text.indexOf("</function>"));
        var definition = JSON.readTree(json);
        assertThat(definition.path("name").asText()).isEqualTo("CronList");
        assertThat(definition.path("description").asText()).isEqualTo(cronList.description());
        assertThat(definition.path("parameters").toString()).isEqualTo(cronList.inputSchemaJson());
    }

    @Test
    void aReferenceToAToolNotInTheListKeepsItsName() {
        String body = """
                {"model":"m","max_tokens":8,"tools":[],"messages":[
                {"role":"user","content":"find it"},
                {"role":"assistant","content":[{"type":"tool_use",
                 "id":"t1","name":"ToolSearch","input":{"query":"x"}}]},
                {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[
                  {"type":"tool_reference","tool_name":"Gone"},{"type":"tool_reference","tool_name":"Also\\"Gone"},
                  {"type":"text","text":"after"}]}]}]}""";
        Message last = PARSER.parse(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .messages()
                .getLast();
        ContentBlock.ToolResult r = (ContentBlock.ToolResult) last.content().getFirst();
        assertThat(r.content())
                .containsExactly(
                        new ContentBlock.Text("<functions>\n<function>{\"name\": \"Gone\"}</function>\n"
                                + "<function>{\"name\": \"Also\\\"Gone\"}</function>\n</functions>"),
                        new ContentBlock.Text("after"));
    }

    @Test
    void toolsLoadedOnDemandGoLastSoALoadedToolLeavesEveryOtherToolInPlace() {
        List<String> first =
                NORMALIZER.normalize(turn(1)).tools().stream().map(Tool::name).toList();
        List<String> second =
                NORMALIZER.normalize(turn(2)).tools().stream().map(Tool::name).toList();
        assertThat(first.getLast()).isEqualTo("DeferredToolPlaceholder");
        assertThat(second.subList(0, first.size() - 1)).isEqualTo(first.subList(0, first.size() - 1));
        assertThat(second.subList(second.size() - 2, second.size()))
                .containsExactly("CronList", "DeferredToolPlaceholder");
        // the client's order among the others is kept
        List<String> sent = turn(1).tools().stream()
                .map(Tool::name)
                .filter(n -> !n.equals("DeferredToolPlaceholder"))
                .toList();
        assertThat(first.subList(0, first.size() - 1)).isEqualTo(sent);
    }

    @Test
    void aLoadedToolIsADivergenceOfTheSameStreamNamedInWordsAndLateInThePrompt() {
        ConversationStreams streams = new ConversationStreams(16, Clock.SYSTEM);
        ConversationStreams.Identity one = streams.identify("s1", NORMALIZER.normalize(turn(1)));
        ConversationStreams.Identity two = streams.identify("s1", NORMALIZER.normalize(turn(2)));
        assertThat(two.streamKey()).isEqualTo(one.streamKey());
        PromptShape.Divergence d = two.divergence();
        assertThat(d.part()).isEqualTo("tools");
        assertThat(d.detail()).isEqualTo("tools changed: +CronList (loaded on demand)");
        // in the client's order the change sits at the third tool; deferred tools last, after all the others
        ConversationStreams raw = new ConversationStreams(16, Clock.SYSTEM);
        raw.identify("s1", new Normalizer(false).normalize(turn(1)));
        PromptShape.Divergence unordered =
                raw.identify("s1", new Normalizer(false).normalize(turn(2))).divergence();
        long tools = turn(1).tools().stream()
                .filter(t -> !t.deferLoading())
                .mapToLong(t -> t.name().length()
                        + t.description().length()
                        + t.inputSchemaJson().length())
                .sum();
        assertThat(d.offsetInPart()).isGreaterThan(tools - 64);
        assertThat(unordered.offsetInPart()).isLessThan(tools / 3); // after Agent and Bash
        // turns 3 and 4 only extend turn 2
        assertThat(streams.identify("s1", NORMALIZER.normalize(turn(3))).divergence())
                .isNull();
        assertThat(streams.identify("s1", NORMALIZER.normalize(turn(4))).divergence())
                .isNull();
    }
}
