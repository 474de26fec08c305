package dev.anyclaude.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.MessagesRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Whatever a client sends, the parser answers with a request or an INVALID_REQUEST, nothing else. */
class RequestParserPropertiesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final RequestParser PARSER = new RequestParser(MAPPER);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A body that exercises every part of the format. */
    private static final String RICH = """
            {"model":"m","max_tokens":100,"system":[{"type":"text","text":"sys","cache_control":{"type":"ephemeral"}}],
             "messages":[
              {"role":"user","content":[{"type":"text","text":"hi"},
                 {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}},
                 {"type":"document","title":"d","source":{"type":"text","media_type":"text/plain","data":"doc"}}]},
              {"role":"system","content":"reminder"},
              {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},
                 {"type":"redacted_thinking","data":"r"},{"type":"text","text":"calling"},
                 {"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls","n":[1,2.5,null]}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","is_error":false,
                 "content":[{"type":"text","text":"out"},{"type":"image","source":{"type":"url","url":"http://x"}}]}]}],
             "tools":[{"name":"Bash","description":"run","input_schema":
              {"type":"object","properties":{"command":{"type":"string"}}}}],
             "tool_choice":{"type":"auto","disable_parallel_tool_use":true},"temperature":0.5,"top_p":0.9,"top_k":5,
             "stop_sequences":["STOP"],"thinking":{"type":"enabled","budget_tokens":1024},
             "output_config":{"effort":"high","format":{"type":"json_schema","schema":{"type":"object"}}},
             "metadata":{"user_id":"u"},"stream":true}
            """;

    @Property(tries = 400)
    void mutatedTreesParseOrAreInvalidRequests(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int edits) {
        Random random = new Random(seed);
        JsonNode root = readRich();
        for (int i = 0; i < edits; i++) {
            root = mutate(root, random);
        }
        byte[] body = root.toString().getBytes(StandardCharsets.UTF_8);
        assertParsesOrIsInvalid(body);
        assertAKnownToolsParserAgreesWithAFreshOne(body);
    }

    @Property(tries = 400)
    void mutatedBytesParseOrAreInvalidRequests(@ForAll long seed) {
        Random random = new Random(seed);
        byte[] bytes = RICH.getBytes(StandardCharsets.UTF_8);
        byte[] out = switch (random.nextInt(4)) {
            case 0 -> java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length)); // truncated
            case 1 -> { // random bytes overwritten
                byte[] b = bytes.clone();
                for (int i = 0, n = 1 + random.nextInt(5); i < n; i++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                yield b;
            }
            case 2 -> { // pure noise
                byte[] b = new byte[random.nextInt(64)];
                random.nextBytes(b);
                yield b;
            }
            default -> { // a structural character inserted
                String s = RICH;
                int at = random.nextInt(s.length());
                String c = String.valueOf("{}[],:\"\\0-e".charAt(random.nextInt(11)));
                yield (s.substring(0, at) + c + s.substring(at)).getBytes(StandardCharsets.UTF_8);
            }
        };
        assertParsesOrIsInvalid(out);
        assertAKnownToolsParserAgreesWithAFreshOne(out);
    }

    @Example
    void whatFollowsAKnownToolsArrayIsReadAsWell() {
        RequestParser warm = warmParser();
        String body = "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"tools\":" + compactTools() + " \n, \"temperature\":0.25 ,\"stream\":true}";
        MessagesRequest r = warm.parse(body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.temperature()).isEqualTo(0.25);
        assertThat(r.stream()).isTrue();
        assertThat(r.tools())
                .isSameAs(warm.parse(RICH_COMPACT.getBytes(StandardCharsets.UTF_8))
                        .tools());
        String last = "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"tools\":" + compactTools() + "}";
        assertThat(warm.parse(last.getBytes(StandardCharsets.UTF_8)).tools()).hasSize(1);
    }

    @Example
    void anErrorAfterAKnownToolsArrayNamesTheSamePlaceAsAFreshParse() {
        String body = "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"tools\":" + compactTools() + ",\n\"temperature\":\"hot\"}";
        String trailing = body.replace("\"hot\"}", "0.5} {}");
        for (String b : List.of(body, trailing, body.replace(",\n\"temperature", ",,\"temperature"))) {
            assertThat(outcome(warmParser(), b.getBytes(StandardCharsets.UTF_8)))
                    .startsWith("error: ")
                    .isEqualTo(outcome(new RequestParser(MAPPER), b.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static final String RICH_COMPACT = readRich().toString();
    private static final RequestParser WARM = warmParser();

    private static RequestParser warmParser() {
        RequestParser p = new RequestParser(MAPPER);
        p.parse(RICH.getBytes(StandardCharsets.UTF_8));
        p.parse(RICH_COMPACT.getBytes(StandardCharsets.UTF_8));
        return p;
    }

    private static String compactTools() {
        return readRich().get("tools").toString();
    }

    /** What parsing gives: the request, or the error's kind and message. */
    private static String outcome(RequestParser parser, byte[] body) {
        try {
            return "request: " + parser.parse(body);
        } catch (GatewayException e) {
            return "error: " + e.kind() + " " + e.getMessage();
        }
    }

    /** A parser that knows the tools (and so may jump over them) answers exactly as one that does not. */
    private static void assertAKnownToolsParserAgreesWithAFreshOne(byte[] body) {
        assertThat(outcome(WARM, body)).isEqualTo(outcome(new RequestParser(MAPPER), body));
    }

    @Example
    void theUnmutatedBodyParses() {
        MessagesRequest r = PARSER.parse(RICH.getBytes(StandardCharsets.UTF_8));
        assertThat(r.messages()).hasSize(4);
    }

    private static void assertParsesOrIsInvalid(byte[] body) {
        try {
            PARSER.parse(body);
        } catch (GatewayException e) {
            assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    private static JsonNode readRich() {
        try {
            return MAPPER.readTree(RICH);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Replaces, drops or adds one value somewhere in the tree. */
    private static JsonNode mutate(JsonNode root, Random random) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        if (target instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            int action = random.nextInt(3);
            if (names.isEmpty() || action == 0) {
                o.set(
                        names.isEmpty() || random.nextBoolean()
                                ? "extra" + random.nextInt(3)
                                : names.get(random.nextInt(names.size())),
                        randomValue(random));
            } else if (action == 1) {
                o.remove(names.get(random.nextInt(names.size())));
            } else {
                o.set(names.get(random.nextInt(names.size())), randomValue(random));
            }
        } else if (target instanceof ArrayNode a) {
            if (a.isEmpty() || random.nextBoolean()) {
                a.insert(a.isEmpty() ? 0 : random.nextInt(a.size()), randomValue(random));
            } else if (random.nextBoolean()) {
                a.remove(random.nextInt(a.size()));
            } else {
                a.set(random.nextInt(a.size()), randomValue(random));
            }
        }
        return root;
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            n.forEach(c -> collect(c, out));
        }
    }

    private static JsonNode randomValue(Random random) {
        return switch (random.nextInt(12)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(random.nextInt(2001) - 1000);
            case 3 -> NODES.numberNode(random.nextDouble() * 4 - 2);
            case 4 -> NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            case 5 -> NODES.textNode("");
            case 6 ->
                NODES.textNode(List.of(
                                "text",
                                "image",
                                "tool_use",
                                "tool_result",
                                "user",
                                "assistant",
                                "system",
                                "auto",
                                "tool",
                                "base64",
                                "url",
                                "enabled",
                                "json_schema",
                                "toolu_1")
                        .get(random.nextInt(14)));
            case 7 -> NODES.textNode("\u0000\ud83d\ude00 x");
            case 8 -> NODES.objectNode();
            case 9 -> NODES.arrayNode();
            case 10 -> NODES.objectNode().put("type", "text").put("text", "t");
            default -> NODES.arrayNode().add(NODES.objectNode().put("type", "text"));
        };
    }
}
