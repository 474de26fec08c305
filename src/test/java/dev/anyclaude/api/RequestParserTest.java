package dev.anyclaude.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.ThinkingConfig;
import dev.anyclaude.messages.Tool;
import dev.anyclaude.messages.ToolChoice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestParserTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final RequestParser parser = new RequestParser(MAPPER);

    private MessagesRequest parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A valid body whose messages array is {@code messages}. */
    private static String body(String messages) {
        return "{\"model\":\"m\",\"max_tokens\":10,\"messages\":" + messages + "}";
    }

    static Stream<Path> claudeCodeBodies() {
        return Fixtures.claudeCodeBodies().stream();
    }

    @ParameterizedTest
    @MethodSource("claudeCodeBodies")
    void acceptsEveryCapturedClaudeCodeBody(Path file) throws Exception {
        byte[] bytes = Fixtures.read(file);
        JsonNode tree = MAPPER.readTree(bytes);

        MessagesRequest r = parser.parse(bytes);

        assertThat(r.model()).isEqualTo(tree.get("model").asText());
        assertThat(r.maxTokens()).isEqualTo(tree.get("max_tokens").asInt());
        assertThat(r.stream()).isEqualTo(tree.path("stream").asBoolean(false));
        assertThat(r.thinking().type()).isEqualTo(tree.at("/thinking/type").asText()); // 2.1.197 and 2.1.332: adaptive
        assertThat(r.effort()).isEqualTo(tree.at("/output_config/effort").asText()); // 2.1.197 high, 2.1.332 medium
        assertThat(r.system()).hasSize(tree.get("system").size());
        assertThat(r.messages()).hasSize(tree.get("messages").size());
        // both versions put a system message right after the first user message: a string, or (2.1.332 turn 1) blocks
        assertThat(tree.at("/messages/1/role").asText()).isEqualTo("system");
        assertThat(r.messages().get(1).role()).isEqualTo(Role.SYSTEM);
        assertThat(r.tools()).hasSize(tree.get("tools").size());
        for (int i = 0; i < r.tools().size(); i++) {
            JsonNode t = tree.get("tools").get(i);
            assertThat(r.tools().get(i).name()).isEqualTo(t.get("name").asText());
            // compact, same key order: Jackson's own compact rendering of the tree is the reference
            assertThat(r.tools().get(i).inputSchemaJson())
                    .isEqualTo(t.get("input_schema").toString());
        }
    }

    @Test
    void toolSetsOfEqualLengthThatDifferInOneByteAnywhereAreNeverConfused() {
        // The lookup hash samples the tool bytes; every single-letter change at each position of a long
        // description (sampled or not) must still parse as its own tool set.
        String description = "x".repeat(4000);
        String request = "{\"model\":\"m\",\"max_tokens\":5,\"tools\":[{\"name\":\"Bash\",\"description\":\"%s\","
                + "\"input_schema\":{\"type\":\"object\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}";
        parser.parse(request.formatted(description).getBytes(StandardCharsets.UTF_8));
        for (int at = 1990; at < 2010; at++) {
            String changed = description.substring(0, at) + "y" + description.substring(at + 1);
            MessagesRequest r = parser.parse(request.formatted(changed).getBytes(StandardCharsets.UTF_8));
            assertThat(r.tools().getFirst().description())
                    .as("changed at %d", at)
                    .isEqualTo(changed);
        }
    }

    @Test
    void identicalToolBytesAreParsedOnceAndSharedWhileAnyChangeIsParsedAfresh() {
        String tools = "[{\"name\":\"Bash\",\"description\":\"run\",\"input_schema\":{\"type\":\"object\"}}]";
        String a = "{\"model\":\"m\",\"max_tokens\":5,\"tools\":" + tools
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}";
        String b = a.replace("\"content\":\"a\"", "\"content\":\"b\"");
        String changed = a.replace("\"run\"", "\"runs\"");

        MessagesRequest first = parser.parse(a.getBytes(StandardCharsets.UTF_8));
        MessagesRequest second = parser.parse(b.getBytes(StandardCharsets.UTF_8));
        MessagesRequest third = parser.parse(changed.getBytes(StandardCharsets.UTF_8));

        assertThat(second.tools()).isSameAs(first.tools());
        assertThat(third.tools()).isNotSameAs(first.tools());
        assertThat(third.tools().getFirst().description()).isEqualTo("runs");
        assertThat(first.tools().getFirst().inputSchemaJson()).isEqualTo("{\"type\":\"object\"}");
    }

    @Test
    void aBadToolIsNamedByItsPathWhetherOrNotTheToolsWereSeenBefore() {
        String bad = "{\"model\":\"m\",\"max_tokens\":5,\"tools\":[{\"name\":\"ok\",\"input_schema\":{}},{\"name\":7}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}";
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> parser.parse(bad.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(GatewayException.class)
                    .hasMessageStartingWith("tools.1.name: 7 (expected:");
        }
    }

    @Test
    void keepsToolHistoryOfTheCapturedToolLoop() {
        Path file = Fixtures.claudeCode().resolve("p-tool-bash-read/04-POST-v1_messages.body.json");
        MessagesRequest r = parser.parse(Fixtures.read(file));

        assertThat(r.messages())
                .extracting(Message::role)
                .containsExactly(Role.USER, Role.SYSTEM, Role.ASSISTANT, Role.USER, Role.ASSISTANT, Role.USER);
        assertThat(r.messages().get(2).content())
                .containsExactly(
                        new ContentBlock.Text("Calling Bash (capture step 1)."),
                        new ContentBlock.ToolUse(
                                "toolu_capture_0002_0",
                                "Bash",
                                "{\"command\":\"echo hello-from-tool && git status --short\","
                                        + "\"description\":\"Print a greeting and git status\"}"));
        assertThat(r.messages().get(3).content())
                .containsExactly(new ContentBlock.ToolResult(
                        "toolu_capture_0002_0", List.of(new ContentBlock.Text("hello-from-tool\n M calc.py")), false));
        assertThat(r.system().get(0).text()).startsWith("x-anthropic-billing-header:");
    }

    @Test
    void readsEveryOptionalField() {
        MessagesRequest r = parse("""
                {"model":"m","max_tokens":5,"system":"be brief","messages":[{"role":"user","content":"hi"}],
                 "tools":[{"name":"get","description":"d",
                  "input_schema":{"type":"object","b":1.50,"a":[1e3,null,true]}},
                          {"type":"web_search_20250305","name":"web_search","max_uses":3}],
                 "tool_choice":{"type":"tool","name":"get","disable_parallel_tool_use":true},
                 "temperature":1.5,"top_p":0.9,"top_k":40,"stop_sequences":["END","\\n\\n"],
                 "thinking":{"type":"enabled","budget_tokens":2048},
                 "output_config":{"effort":"low",
                  "format":{"type":"json_schema","schema":{"type":"object","properties":{}}}},
                 "stream":false,"metadata":{"user_id":"x"},"context_management":{"edits":[]},
                 "container":null,"service_tier":"auto","some_future_field":{"deep":[1,2,{}]}}
                """);

        assertThat(r.system()).containsExactly(new ContentBlock.Text("be brief"));
        assertThat(r.messages()).containsExactly(new Message(Role.USER, List.of(new ContentBlock.Text("hi"))));
        assertThat(r.tools())
                .containsExactly(
                        new Tool("get", "d", "{\"type\":\"object\",\"b\":1.50,\"a\":[1e3,null,true]}", null),
                        new Tool("web_search", null, null, "web_search_20250305"));
        assertThat(r.toolChoice()).isEqualTo(new ToolChoice("tool", "get", true));
        assertThat(r.temperature()).isEqualTo(1.5);
        assertThat(r.topP()).isEqualTo(0.9);
        assertThat(r.topK()).isEqualTo(40);
        assertThat(r.stopSequences()).containsExactly("END", "\n\n");
        assertThat(r.thinking()).isEqualTo(new ThinkingConfig("enabled", 2048));
        assertThat(r.effort()).isEqualTo("low");
        assertThat(r.outputSchemaJson()).isEqualTo("{\"type\":\"object\",\"properties\":{}}");
        assertThat(r.stream()).isFalse();
    }

    @Test
    void absentOptionalsAreEmptyListsOrNull() {
        MessagesRequest r = parse(body("[{\"role\":\"user\",\"content\":\"hi\"}]"));

        assertThat(r.system()).isEmpty();
        assertThat(r.tools()).isEmpty();
        assertThat(r.stopSequences()).isEmpty();
        assertThat(r.toolChoice()).isNull();
        assertThat(r.temperature()).isNull();
        assertThat(r.topP()).isNull();
        assertThat(r.topK()).isNull();
        assertThat(r.thinking()).isNull();
        assertThat(r.outputSchemaJson()).isNull();
        assertThat(r.effort()).isNull();
        assertThat(r.stream()).isFalse();
    }

    @Test
    void acceptsTheLegacyOutputFormatField() {
        MessagesRequest r =
                parse("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                        + "\"output_format\":{\"type\":\"json_schema\",\"schema\":{\"type\":\"string\"}}}");
        assertThat(r.outputSchemaJson()).isEqualTo("{\"type\":\"string\"}");
    }

    @Test
    void readsUnknownRolesAsUserAndSystemRoleAsSystem() {
        MessagesRequest r = parse(body("""
                [{"role":"ctx","content":"a"},{"role":"system","content":[{"type":"text","text":"b"}]},
                 {"role":"msg","content":"c"},{"role":"user","content":"d"}]"""));

        assertThat(r.messages())
                .extracting(Message::role)
                .containsExactly(Role.USER, Role.SYSTEM, Role.USER, Role.USER);
        assertThat(r.messages().get(1).content()).containsExactly(new ContentBlock.Text("b"));
    }

    @Test
    void readsImagesDocumentsAndThinking() {
        String b64 = Base64.getEncoder().encodeToString("héllo doc".getBytes(StandardCharsets.UTF_8));
        MessagesRequest r = parse(body("""
                [{"role":"user","content":[
                   {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}},
                   {"type":"image","source":{"type":"url","url":"https://x/y.png"}},
                   {"type":"document","title":"T","source":{"type":"text","media_type":"text/plain","data":"plain"}},
                   {"type":"document","source":{"type":"base64","media_type":"text/markdown","data":"%s"}},
                   {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}},
                   {"type":"document","source":{"type":"url","url":"https://x/doc.pdf"}},
                   {"type":"document","source":{"type":"content","content":[{"type":"text","text":"p1"},
                    {"type":"text","text":"p2"}]}}]},
                 {"role":"assistant","content":[
                   {"type":"thinking","thinking":"hmm","signature":"sig"},
                   {"type":"redacted_thinking","data":"opaque"},
                   {"type":"text","text":"ok"}]}]""".formatted(b64)));

        assertThat(r.messages().get(0).content())
                .containsExactly(
                        new ContentBlock.Image("image/png", "iVBOR", null),
                        new ContentBlock.Image(null, null, "https://x/y.png"),
                        new ContentBlock.Document("T", "plain", "text/plain"),
                        new ContentBlock.Document(null, "héllo doc", "text/markdown"),
                        new ContentBlock.Document(null, null, "application/pdf"),
                        new ContentBlock.Document(null, null, "application/pdf"),
                        new ContentBlock.Document(null, "p1\n\np2", "text/plain"));
        assertThat(r.messages().get(1).content())
                .containsExactly(
                        new ContentBlock.Thinking("hmm", "sig"),
                        new ContentBlock.RedactedThinking("opaque"),
                        new ContentBlock.Text("ok"));
    }

    @Test
    void readsToolResultsAsStringOrBlocksEvenWithTypeLast() {
        MessagesRequest r = parse(body("""
                [{"role":"user","content":"go"},
                 {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}},
                                                {"type":"tool_use","id":"t2","name":"f","input":{"k":[1]}}]},
                 {"content":[{"tool_use_id":"t1","content":"out","is_error":true,"type":"tool_result"},
                             {"type":"tool_result","tool_use_id":"t2","content":[{"type":"text","text":"a"},
                               {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j"}}]}],
                  "role":"user"}]"""));

        assertThat(r.messages().get(2).content())
                .containsExactly(
                        new ContentBlock.ToolResult("t1", List.of(new ContentBlock.Text("out")), true),
                        new ContentBlock.ToolResult(
                                "t2",
                                List.of(new ContentBlock.Text("a"), new ContentBlock.Image("image/jpeg", "/9j", null)),
                                false));
    }

    @Test
    void countTokensBodiesNeedNoMaxTokens() {
        MessagesRequest r =
                parser.parseForCount("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(r.maxTokens()).isEqualTo(1);
    }

    static Stream<Arguments> badBodies() {
        String user = "{\"role\":\"user\",\"content\":\"hi\"}";
        return Stream.of(
                Arguments.of("", "request body is empty (expected: a JSON object)"),
                Arguments.of("[1]", "request body: an array (expected: a JSON object)"),
                Arguments.of("\"x\"", "request body: \"x\" (expected: a JSON object)"),
                Arguments.of("{\"model\":", "request body is not valid JSON: Unexpected end-of-input"),
                Arguments.of(
                        "{\"model\" \"m\"}",
                        "request body is not valid JSON: Unexpected character ('\"' "
                                + "(code 34)): was expecting a colon to separate field name and value at 1:10"),
                Arguments.of(
                        body("[" + user + "]") + "{}",
                        "request body is not valid JSON: content after the end of the object at 1:74"),
                Arguments.of(
                        "{\"max_tokens\":1,\"messages\":[" + user + "]}", "model: missing (expected: a model name)"),
                Arguments.of(
                        "{\"model\":\"m\",\"max_tokens\":1}",
                        "messages: missing (expected: a non-empty array of messages)"),
                Arguments.of(
                        "{\"model\":\"m\",\"messages\":[" + user + "]}",
                        "max_tokens: missing (expected: a positive integer)"),
                Arguments.of(
                        "{\"model\":7,\"max_tokens\":1,\"messages\":[" + user + "]}",
                        "model: 7 (expected: a model name)"),
                Arguments.of(
                        "{\"model\":null,\"max_tokens\":1,\"messages\":[" + user + "]}",
                        "model: null (expected: a model name)"),
                Arguments.of(
                        "{\"model\":\"m\",\"max_tokens\":-5,\"messages\":[" + user + "]}",
                        "max_tokens: -5 (expected: a positive integer)"),
                Arguments.of(
                        "{\"model\":\"m\",\"max_tokens\":0,\"messages\":[" + user + "]}",
                        "max_tokens: 0 (expected: a positive integer)"),
                Arguments.of(
                        "{\"model\":\"m\",\"max_tokens\":1.5,\"messages\":[" + user + "]}",
                        "max_tokens: 1.5 (expected: a positive integer)"),
                Arguments.of(
                        "{\"model\":\"m\",\"max_tokens\":\"10\",\"messages\":[" + user + "]}",
                        "max_tokens: \"10\" (expected: a positive integer)"),
                Arguments.of(
                        "{\"model\":\"m\",\"max_tokens\":99999999999,\"messages\":[" + user + "]}",
                        "max_tokens: 99999999999 (expected: a positive integer)"),
                Arguments.of(body("[]"), "messages: an empty array (expected: a non-empty array of messages)"),
                Arguments.of(body("{}"), "messages: an object (expected: a non-empty array of messages)"),
                Arguments.of(body("[\"hi\"]"), "messages.0: \"hi\" (expected: a message object with role and content)"),
                Arguments.of(
                        body("[{\"content\":\"x\"}]"),
                        "messages.0.role: missing (expected: a string such as user or assistant)"),
                Arguments.of(
                        body("[{\"role\":\"user\"}]"),
                        "messages.0.content: missing (expected: a string or an array of content blocks)"),
                Arguments.of(
                        body("[{\"role\":\"user\",\"content\":5}]"),
                        "messages.0.content: 5 (expected: a string or an array of content blocks)"),
                Arguments.of(
                        body("[" + user + "," + user + "," + user
                                + ",{\"role\":\"user\",\"content\":[{\"type\":\"foo\"}]}]"),
                        "messages.3.content.0.type: \"foo\" (expected: one of text, "
                                + "image, document, tool_use, tool_result, thinking, redacted_thinking)"),
                Arguments.of(
                        body("[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}]"),
                        "messages.0.content.0.type: missing (expected: in a user "
                                + "message, one of text, image, document, tool_result)"),
                Arguments.of(
                        body("[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]"),
                        "messages.0.content.0.text: missing (expected: a string)"),
                Arguments.of(
                        body("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":[]}]}]"),
                        "messages.0.content.0.text: an array (expected: a string)"),
                Arguments.of(
                        body("[{\"role\":\"user\",\"content\":[{\"type\":\"tool_use\","
                                + "\"id\":\"a\",\"name\":\"f\",\"input\":{}}]}]"),
                        "messages.0.content.0.type: \"tool_use\" (expected: in a user "
                                + "message, one of text, image, document, tool_result)"),
                Arguments.of(
                        body("[{\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":"
                                + "\"x\"}],\"role\":\"assistant\"}]"),
                        "messages.0.content.0.type: \"tool_result\" (expected: in an "
                                + "assistant message, one of text, tool_use, thinking, redacted_thinking)"),
                Arguments.of(
                        body("[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                                + "\"tool_use_id\":\"toolu_1\",\"content\":\"r\"}]}]"),
                        "messages.0.content.0.tool_use_id: \"toolu_1\" (expected: the "
                                + "id of a tool_use block in an earlier assistant message)"),
                Arguments.of(
                        body("[{\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":"
                                + "\"toolu_1\"}],\"role\":\"user\"}]"),
                        "messages.0.content.0.tool_use_id: \"toolu_1\" (expected: the "
                                + "id of a tool_use block in an earlier assistant message)"),
                Arguments.of(
                        body("[{\"role\":\"user\",\"content\":\"go\"},{\"role\":"
                                + "\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":"
                                + "\"a\",\"name\":\"f\",\"input\":\"{}\"}]}]"),
                        "messages.1.content.0.input: \"{}\" (expected: an object)"),
                Arguments.of(
                        body("[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\","
                                + "\"name\":\"f\",\"input\":{}}]}]"),
                        "messages.0.content.0.id: missing (expected: a string)"),
                Arguments.of(
                        body("[{\"role\":\"system\",\"content\":[{\"type\":\"image\"}]}]"),
                        "messages.0.content.0.type: \"image\" (expected: text)"),
                Arguments.of(
                        body("[{\"role\":\"user\",\"content\":[{\"type\":\"image\","
                                + "\"source\":{\"type\":\"file\",\"file_id\":\"f\"}}]}]"),
                        "messages.0.content.0.source.type: \"file\" (expected: one of base64, url)"),
                Arguments.of(
                        body("[{\"role\":\"user\",\"content\":[{\"type\":\"image\","
                                + "\"source\":{\"type\":\"base64\",\"data\":\"x\"}}]}]"),
                        "messages.0.content.0.source.media_type: missing (expected: "
                                + "an image media type such as image/png)"),
                Arguments.of(
                        body("[{\"role\":\"user\",\"content\":[{\"type\":\"document\","
                                + "\"source\":{\"type\":\"base64\",\"media_type\":\"text/"
                                + "plain\",\"data\":\"%%%\"}}]}]"),
                        "messages.0.content.0.source.data: not valid base64 (expected: base64 data)"),
                Arguments.of(
                        body("[" + user + "]").replace("}]}", "}],\"system\":5}"),
                        "system: 5 (expected: a string or an array of text blocks)"),
                Arguments.of(
                        body("[" + user + "]").replace("}]}", "}],\"system\":[{\"type\":\"image\"}]}"),
                        "system.0.type: \"image\" (expected: text)"),
                Arguments.of(
                        body("[" + user + "]").replace("}]}", "}],\"tools\":[{\"name\":\"f\"}]}"),
                        "tools.0.input_schema: missing (expected: a JSON schema object)"),
                Arguments.of(
                        body("[" + user + "]").replace("}]}", "}],\"tools\":[{\"input_schema\":{}}]}"),
                        "tools.0.name: missing (expected: a tool name)"),
                Arguments.of(
                        body("[" + user + "]").replace("}]}", "}],\"tools\":{}}"),
                        "tools: an object (expected: an array of tools)"),
                Arguments.of(
                        body("[" + user + "]").replace("}]}", "}],\"tool_choice\":{\"type\":\"some\"}}"),
                        "tool_choice.type: \"some\" (expected: one of auto, any, tool, none)"),
                Arguments.of(
                        body("[" + user + "]").replace("}]}", "}],\"tool_choice\":{\"type\":\"tool\"}}"),
                        "tool_choice.name: missing (expected: the name of the tool to use)"),
                Arguments.of(
                        body("[" + user + "]").replace("}]}", "}],\"temperature\":3}"),
                        "temperature: 3 (expected: a number from 0 to 2)"),
                Arguments.of(
                        body("[" + user + "]").replace("}]}", "}],\"top_p\":\"x\"}"),
                        "top_p: \"x\" (expected: a number from 0 to 1)"),
                Arguments.of(
                        body("[" + user + "]").replace("}]}", "}],\"top_k\":-1}"),
                        "top_k: -1 (expected: a non-negative integer)"),
                Arguments.of(
                        body("[" + user + "]").replace("}]}", "}],\"stop_sequences\":[\"a\",1]}"),
                        "stop_sequences.1: 1 (expected: a non-empty string)"),
                Arguments.of(
                        body("[" + user + "]").replace("}]}", "}],\"stream\":\"yes\"}"),
                        "stream: \"yes\" (expected: a boolean)"),
                Arguments.of(
                        body("[" + user + "]").replace("}]}", "}],\"thinking\":{\"type\":\"on\"}}"),
                        "thinking.type: \"on\" (expected: one of enabled, adaptive, disabled)"),
                Arguments.of(
                        body("[" + user + "]")
                                .replace("}]}", "}],\"output_config\":{\"format\":{\"type\":\"json_schema\"}}}"),
                        "output_config.format.schema: missing (expected: a JSON schema object)"),
                Arguments.of(
                        body("[" + user + "]")
                                .replace("}]}", "}],\"output_config\":{\"format\":{\"type\":\"regex\"}}}"),
                        "output_config.format.type: \"regex\" (expected: json_schema)"));
    }

    @ParameterizedTest
    @MethodSource("badBodies")
    void rejectsBadInputNamingFieldValueAndExpectation(String body, String message) {
        assertThatThrownBy(() -> parse(body)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
            if (message.startsWith("request body is not valid JSON: Unexpected end")) {
                assertThat(e.getMessage()).startsWith(message);
            } else {
                assertThat(e.getMessage()).isEqualTo(message);
            }
        });
    }

    @Test
    void quotesLongStringValuesShortened() {
        String longModel = "x".repeat(100);
        assertThatThrownBy(() -> parse(body("[{\"role\":\"user\",\"content\":[{\"type\":\"" + longModel + "\"}]}]")))
                .hasMessageStartingWith("messages.0.content.0.type: \"" + "x".repeat(60) + "…\" (expected:");
    }
}
