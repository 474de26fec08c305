package dev.anyclaude.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.messages.EventJson;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.toolcall.ToolCallSyntax;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden-file translation cases in {@code src/test/resources/translate/<case>/}:
 *
 * <ul>
 *   <li>{@code anthropic-request.json}: what the client sends;
 *   <li>{@code case.properties} (optional): dialect switches (the {@link OpenAiDialect} component names,
 *       {@code extra} as a JSON object) and {@link TextFormats} switches;
 *   <li>{@code openai-request.json}: the expected upstream body (pretty-printed here, compared in order);
 *   <li>{@code backend-stream.txt} (an SSE stream) or {@code backend-response.json} (a non-streaming
 *       body): what the backend answers;
 *   <li>{@code anthropic-stream.txt}: the expected SSE the client receives, through the stop-sequence
 *       filter, ending in an {@code error} event when translation fails. Message id and model are filled
 *       in as the gateway would; gateway tool ids are normalized to {@code toolu_GOLDEN_n}.
 * </ul>
 *
 * Run with {@code -Danyclaude.regenerate=true} to rewrite the expected files from the current code,
 * then review the diff.
 */
class GoldenTranslationTest {
    static final Path CASES = Path.of("src/test/resources/translate");
    private static final boolean REGENERATE = Boolean.getBoolean("anyclaude.regenerate");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern GATEWAY_TOOL_ID = Pattern.compile("toolu_[0-9A-Za-z]{24}");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(CASES)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void translatesAsRecorded(String name) throws Exception {
        Path dir = CASES.resolve(name);
        Properties props = new Properties();
        if (Files.exists(dir.resolve("case.properties"))) {
            props.load(new StringReader(Files.readString(dir.resolve("case.properties"))));
        }
        MessagesRequest req =
                new RequestParser(MAPPER).parse(Files.readAllBytes(dir.resolve("anthropic-request.json")));
        OpenAiDialect dialect = dialect(props);

        byte[] body = new OpenAiRequestWriter(MAPPER).write(req, dialect);
        assertThat(new OpenAiRequestWriter(MAPPER).write(req, dialect)).isEqualTo(body);
        check(dir.resolve("openai-request.json"), pretty(body));

        if (Files.exists(dir.resolve("backend-stream.txt")) || Files.exists(dir.resolve("backend-response.json"))) {
            check(dir.resolve("anthropic-stream.txt"), clientStream(dir, req, props));
        }
    }

    static OpenAiDialect dialect(Properties p) throws IOException {
        Map<String, Object> extra = new LinkedHashMap<>();
        if (p.containsKey("extra")) {
            JsonNode n = MAPPER.readTree(p.getProperty("extra"));
            n.properties().forEach(e -> extra.put(e.getKey(), MAPPER.convertValue(e.getValue(), Object.class)));
        }
        return new OpenAiDialect(
                flag(p, "foldInlineSystem"),
                flag(p, "mergeConsecutiveRoles"),
                flag(p, "sendTopK"),
                flag(p, "sendEnableThinking"),
                flag(p, "sendReasoningEffort"),
                flag(p, "historyThinkingAsReasoningContent"),
                extra);
    }

    static TextFormats formats(Properties p) {
        ToolCallSyntax syntax = ToolCallSyntax.valueOf(p.getProperty("toolCalls", "NONE"));
        boolean any = flag(p, "thinkTags") || syntax != ToolCallSyntax.NONE;
        return new TextFormats(any, syntax, false).withStartInThinking(flag(p, "startInThinking"));
    }

    private static boolean flag(Properties p, String name) {
        return Boolean.parseBoolean(p.getProperty(name, "false"));
    }

    /** What the client would read: the backend's answer through translator, stop filter and SSE writer. */
    private static String clientStream(Path dir, MessagesRequest req, Properties props) throws IOException {
        EventJson json = new EventJson(MAPPER);
        StringBuilder sse = new StringBuilder();
        EventSink client = e -> {
            if (e instanceof StreamEvent.MessageStart s) {
                e = new StreamEvent.MessageStart("msg_golden", req.model(), s.usage());
            }
            sse.append(new String(json.sse(e), StandardCharsets.UTF_8));
        };
        EventSink sink = StopSequenceFilter.wrap(client, req.stopSequences());
        OpenAiStreamTranslator.Options options = OpenAiStreamTranslator.Options.of(req, formats(props));
        try {
            if (Files.exists(dir.resolve("backend-response.json"))) {
                new OpenAiResponseTranslator(MAPPER, options)
                        .translate(Files.readAllBytes(dir.resolve("backend-response.json")), sink);
            } else {
                OpenAiStreamTranslator t = new OpenAiStreamTranslator(MAPPER, sink, options);
                for (String line :
                        Files.readString(dir.resolve("backend-stream.txt")).split("\n")) {
                    if (line.startsWith("data:")) {
                        t.onData(line.substring(5));
                    }
                }
                t.onEnd();
            }
        } catch (GenerationStopped stopped) {
            // the stream is complete: the filter ended it
        } catch (GatewayException e) {
            client.accept(new StreamEvent.Error(e.kind(), e.getMessage()));
        }
        return normalizeToolIds(sse.toString());
    }

    static String normalizeToolIds(String s) {
        Map<String, String> seen = new LinkedHashMap<>();
        Matcher m = GATEWAY_TOOL_ID.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String id = seen.computeIfAbsent(m.group(), k -> "toolu_GOLDEN_" + (seen.size() + 1));
            m.appendReplacement(out, id);
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String pretty(byte[] compact) throws IOException {
        return MAPPER.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(MAPPER.readTree(compact)) + "\n";
    }

    private static void check(Path expectedFile, String actual) throws IOException {
        if (REGENERATE) {
            Files.writeString(expectedFile, actual);
            return;
        }
        assertThat(expectedFile)
                .as("golden file (create it with -Danyclaude.regenerate=true)")
                .exists();
        assertThat(actual).isEqualTo(Files.readString(expectedFile));
    }
}
