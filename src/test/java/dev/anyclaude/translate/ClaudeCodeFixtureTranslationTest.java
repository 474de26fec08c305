package dev.anyclaude.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.Fixtures;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Tool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every captured Claude Code body translates, deterministically, keeping every tool and every turn. */
class ClaudeCodeFixtureTranslationTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final RequestParser PARSER = new RequestParser(MAPPER);
    private static final OpenAiRequestWriter WRITER = new OpenAiRequestWriter(MAPPER);

    static Stream<Arguments> bodiesAndDialects() {
        return Fixtures.claudeCodeBodies().stream()
                .flatMap(p -> Stream.of(
                        Arguments.of(p, OpenAiDialect.openAi()),
                        Arguments.of(p, OpenAiDialect.llamaCpp().withFoldInlineSystem(true)),
                        Arguments.of(
                                p,
                                OpenAiDialect.openAi()
                                        .withFoldInlineSystem(true)
                                        .withMergeConsecutiveRoles(true))));
    }

    @ParameterizedTest
    @MethodSource("bodiesAndDialects")
    void translatesDeterministicallyKeepingToolsAndTurns(Path file, OpenAiDialect dialect) throws Exception {
        MessagesRequest req = PARSER.parse(Fixtures.read(file));
        byte[] body = WRITER.write(req, dialect);
        assertThat(WRITER.write(PARSER.parse(Fixtures.read(file)), dialect)).isEqualTo(body);

        JsonNode out = MAPPER.readTree(body);
        long customTools = req.tools().stream().filter(Tool::custom).count();
        assertThat(out.get("tools")).hasSize((int) customTools);
        for (int i = 0; i < customTools; i++) {
            assertThat(out.get("tools").get(i).at("/function/name").asText())
                    .isEqualTo(req.tools().get(i).name());
            assertThat(out.get("tools").get(i).at("/function/parameters").toString())
                    .isEqualTo(req.tools().get(i).inputSchemaJson());
        }
        if (!dialect.mergeConsecutiveRoles()) {
            assertThat(out.get("messages")).hasSize(expectedMessageCount(req, dialect));
        }
        assertThat(toolCallIds(out)).isEqualTo(toolUseIds(req));
        assertThat(out.get("messages").get(0).get("role").asText()).isEqualTo("system");
        JsonNode system = MAPPER.readTree(Fixtures.read(file)).get("system");
        String lastBlock = system.get(system.size() - 1).get("text").asText().strip();
        assertThat(out.get("messages").get(0).get("content").asText())
                .contains(lastBlock.substring(0, Math.min(80, lastBlock.length())));
        assertThat(body.length).isLessThan(Fixtures.read(file).length);
    }

    /** One leading system message, then one per turn, tool results as one message each. */
    private static int expectedMessageCount(MessagesRequest req, OpenAiDialect d) {
        int n = 1;
        for (Message m : req.messages()) {
            switch (m.role()) {
                case SYSTEM -> n += d.foldInlineSystem() ? 0 : 1;
                case ASSISTANT -> n++;
                case USER -> {
                    long results = m.content().stream()
                            .filter(b -> b instanceof ContentBlock.ToolResult)
                            .count();
                    boolean other = m.content().stream().anyMatch(b -> !(b instanceof ContentBlock.ToolResult));
                    n += (int) results + (other || results == 0 ? 1 : 0);
                }
            }
        }
        return n;
    }

    private static List<String> toolCallIds(JsonNode out) {
        List<String> ids = new ArrayList<>();
        for (JsonNode m : out.get("messages")) {
            m.path("tool_calls").forEach(c -> ids.add(c.get("id").asText()));
        }
        return ids;
    }

    private static List<String> toolUseIds(MessagesRequest req) {
        List<String> ids = new ArrayList<>();
        req.messages()
                .forEach(m -> m.content().forEach(b -> {
                    if (b instanceof ContentBlock.ToolUse u) {
                        ids.add(u.id());
                    }
                }));
        return ids;
    }

    @Test
    void eachTurnOfASessionRendersAsAnExtensionOfThePreviousOne() throws Exception {
        Path dir = Fixtures.claudeCode().resolve("p-tool-bash-read");
        for (OpenAiDialect d :
                List.of(OpenAiDialect.openAi(), OpenAiDialect.openAi().withFoldInlineSystem(true))) {
            JsonNode previous = null;
            for (String name : List.of(
                    "02-POST-v1_messages.body.json",
                    "03-POST-v1_messages.body.json",
                    "04-POST-v1_messages.body.json")) {
                JsonNode out = MAPPER.readTree(WRITER.write(PARSER.parse(Fixtures.read(dir.resolve(name))), d));
                if (previous != null) {
                    assertThat(out.get("tools")).isEqualTo(previous.get("tools"));
                    JsonNode before = previous.get("messages");
                    assertThat(out.get("messages").size()).isGreaterThan(before.size());
                    for (int i = 0; i < before.size(); i++) {
                        assertThat(out.get("messages").get(i))
                                .as("%s message %d", name, i)
                                .isEqualTo(before.get(i));
                    }
                }
                previous = out;
            }
        }
    }
}
