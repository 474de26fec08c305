package dev.anyclaude.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.testing.Chunks;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.ScriptedOpenAiServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The request log, the debug levels and failure dumps — and that no key ever reaches any of them. */
class RequestLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLIENT_KEY = "sk-client-SECRET-1d8f";
    private static final String UPSTREAM_KEY = "sk-upstream-SECRET-77aa";
    private static final String STREAM = "{\"model\":\"claude-opus-4-8\",\"max_tokens\":50,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"the prompt-text-q9 here\"}]}";
    private static final String JSON_BODY = "{\"model\":\"claude-opus-4-8\",\"max_tokens\":50,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"the prompt-text-q9 here\"}]}";

    @TempDir
    Path dir;

    private GatewayFixture fx;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void captureLogs() {
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
        root.detachAppender(logs);
    }

    /**
     * The log's lines once the last request's line is there: a request is logged right after its response
     * is complete, so the client can have its answer a moment before the line is written.
     */
    private List<JsonNode> lines(Path file, int expected) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<String> raw = Files.exists(file) ? Files.readAllLines(file) : List.of();
            if (raw.size() >= expected || System.nanoTime() > deadline) {
                List<JsonNode> out = new ArrayList<>();
                for (String line : raw) {
                    out.add(JSON.readTree(line));
                }
                return out;
            }
            Thread.sleep(10);
        }
    }

    private String everythingLogged() {
        StringBuilder sb = new StringBuilder();
        for (ILoggingEvent e : List.copyOf(logs.list)) {
            sb.append(e.getLoggerName())
                    .append(' ')
                    .append(e.getFormattedMessage())
                    .append('\n');
            if (e.getThrowableProxy() != null) {
                sb.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void writesOneJsonLinePerRequestWithIdsTokensTimingsAndNoPromptText() throws Exception {
        Path log = dir.resolve("logs/requests.jsonl");
        fx = new GatewayFixture(o -> {
            o.responseCache = "off"; // every request here must reach the backend
            o.requestLog = log;
            o.responseCache = "off"; // every request here must reach the backend
        });
        fx.upstream.then(
                Reply.stream(Chunks.text("answer-text-z3")),
                Reply.status(503, "{\"error\":{\"message\":\"Loading model\"}}", null));
        fx.upstream.byDefault(Reply.status(503, "{\"error\":{\"message\":\"Loading model\"}}", null));

        var ok = fx.post("/v1/messages", STREAM, b -> b.header("x-claude-code-session-id", "sess-42"));
        fx.post("/v1/messages", JSON_BODY);

        List<JsonNode> lines = lines(log, 2);
        assertThat(lines).hasSize(2);
        JsonNode first = lines.get(0);
        assertThat(first.get("request_id").asText())
                .isEqualTo(ok.headers().firstValue("request-id").orElseThrow());
        assertThat(first.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(first.get("session").asText()).isEqualTo("sess-42");
        assertThat(first.get("model").asText()).isEqualTo("claude-opus-4-8");
        assertThat(first.get("backend_model").asText()).isEqualTo("stub-model");
        assertThat(first.get("backend").asText()).isEqualTo("openai");
        assertThat(first.get("stream").asBoolean()).isTrue();
        assertThat(first.get("status").asInt()).isEqualTo(200);
        assertThat(first.get("outcome").asText()).isEqualTo("ok");
        assertThat(first.get("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(first.get("prompt_tokens").asLong()).isEqualTo(120);
        assertThat(first.get("reused_tokens").asLong()).isEqualTo(100);
        assertThat(first.get("output_tokens").asLong()).isEqualTo(7);
        assertThat(first.get("ttft_ms").asDouble())
                .isPositive()
                .isLessThanOrEqualTo(first.get("total_ms").asDouble());
        assertThat(first.get("cache").asText()).isEqualTo("bypass");
        assertThat(first.has("error_kind")).isFalse();
        assertThat(first.has("request")).isFalse();

        JsonNode failed = lines.get(1);
        assertThat(failed.get("status").asInt()).isEqualTo(529);
        assertThat(failed.get("outcome").asText()).isEqualTo("error");
        assertThat(failed.get("error_kind").asText()).isEqualTo("backend_overloaded");
        assertThat(failed.get("stream").asBoolean()).isFalse();
        assertThat(failed.get("ttft_ms").isNull()).isTrue();

        assertThat(Files.readString(log)).doesNotContain("prompt-text-q9").doesNotContain("answer-text");
    }

    @Test
    void logBodiesAddsTheRequestAndTheResponse() throws Exception {
        Path log = dir.resolve("requests.jsonl");
        fx = new GatewayFixture(o -> {
            o.responseCache = "off"; // every request here must reach the backend
            o.requestLog = log;
            o.logBodies = true;
        });
        fx.upstream.then(Reply.stream(Chunks.text("answer-text-z3")));

        fx.post("/v1/messages", STREAM);

        JsonNode line = lines(log, 1).getFirst();
        assertThat(line.at("/request/messages/0/content/0/text").asText()).isEqualTo("the prompt-text-q9 here");
        assertThat(line.at("/request/model").asText()).isEqualTo("stub-model");
        assertThat(line.at("/response/content/0/text").asText()).isEqualTo("answer-text-z3");
        assertThat(line.at("/response/stop_reason").asText()).isEqualTo("end_turn");
    }

    @Test
    void noKeyReachesAnyLogWhateverTheLevel() throws Exception {
        Path log = dir.resolve("requests.jsonl");
        Path dumps = dir.resolve("dumps");
        fx = new GatewayFixture(o -> {
            o.responseCache = "off"; // every request here must reach the backend
            o.apiKey = CLIENT_KEY;
            o.upstreamKey = UPSTREAM_KEY;
            o.requestLog = log;
            o.logBodies = true;
            o.debug = 3;
            o.debugDir = dumps;
        });
        fx.upstream.then(
                Reply.stream(Chunks.text("fine")),
                Reply.stream(Chunks.text("fine")),
                Reply.status(401, "{\"error\":{\"message\":\"bad upstream credentials\"}}", null));

        fx.post("/v1/messages", STREAM, b -> b.header("x-api-key", CLIENT_KEY));
        fx.post("/v1/messages", STREAM, b -> b.header("authorization", "Bearer " + CLIENT_KEY));
        fx.post("/v1/messages", JSON_BODY, b -> b.header("x-api-key", CLIENT_KEY));
        fx.post("/v1/messages", STREAM, b -> b.header("x-api-key", "sk-wrong-SECRET-0000"));
        fx.get("/metrics");

        assertThat(fx.upstream.chatRequests().getFirst().headers().get("Authorization"))
                .as("the upstream key does go upstream")
                .containsExactly("Bearer " + UPSTREAM_KEY);
        List<String> everything = new ArrayList<>();
        everything.add(Files.readString(log));
        everything.add(everythingLogged());
        try (Stream<Path> files = Files.list(dumps)) {
            for (Path f : files.toList()) {
                everything.add(Files.readString(f));
            }
        }
        assertThat(everything).hasSizeGreaterThanOrEqualTo(3); // the log, the debug output, one dump
        assertThat(String.join("\n", everything)).contains("prompt-text-q9").doesNotContain("SECRET");
    }

    @Test
    void debugLevelOneSummarizesRequestsAndTwoDumpsFailuresAndThreeShowsEveryEvent() throws Exception {
        Path dumps = dir.resolve("dumps");
        fx = new GatewayFixture(o -> {
            o.responseCache = "off"; // every request here must reach the backend
            o.debug = 1;
            o.debugDir = dumps;
        });
        fx.upstream.then(
                Reply.stream(Chunks.text("level-one")), Reply.status(500, "{\"error\":{\"message\":\"boom\"}}", null));
        fx.post("/v1/messages", STREAM);
        fx.post("/v1/messages", STREAM);
        String one = everythingLogged();
        assertThat(one)
                .contains("anyclaude.debug {\"time\"")
                .contains("\"outcome\":\"ok\"")
                .contains("\"error_kind\":\"backend_bug\"")
                .doesNotContain("prompt-text-q9");
        assertThat(dumps).doesNotExist();
        fx.close();
        logs.list.clear();

        fx = new GatewayFixture(o -> {
            o.responseCache = "off"; // every request here must reach the backend
            o.debug = 2;
            o.debugDir = dumps;
        });
        fx.upstream.then(Reply.status(500, "{\"error\":{\"message\":\"boom\"}}", null));
        fx.post("/v1/messages", STREAM);
        String two = everythingLogged();
        assertThat(two)
                .contains("request to openai stub-model: {")
                .contains("prompt-text-q9")
                .doesNotContain(" event: {");
        List<Path> files;
        try (Stream<Path> s = Files.list(dumps)) {
            files = s.toList();
        }
        assertThat(files).hasSize(1);
        JsonNode dump = JSON.readTree(files.getFirst().toFile());
        assertThat(dump.get("error_kind").asText()).isEqualTo("backend_bug");
        assertThat(dump.get("error").asText()).contains("boom");
        assertThat(dump.at("/request/messages/0/content/0/text").asText()).isEqualTo("the prompt-text-q9 here");
        assertThat(dump.at("/summary/status").asInt()).isEqualTo(500);
        fx.close();
        logs.list.clear();

        fx = new GatewayFixture(o -> {
            o.responseCache = "off"; // every request here must reach the backend
            o.debug = 3;
            o.responseCache = "off";
        });
        fx.upstream.then(Reply.stream(Chunks.text("every-event")));
        fx.post("/v1/messages", STREAM);
        assertThat(everythingLogged())
                .contains(" event: {\"type\":\"content_block_delta\"")
                .contains(" event: {\"type\":\"message_stop\"}");
    }

    @Test
    void anInvalidDebugLevelIsRefused() {
        var o = GatewayFixture.options("http://127.0.0.1:9");
        o.debug = 4;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.anyclaude.gateway.Gateway.start(o.settings()))
                .hasMessageContaining("--debug: 4 (expected: 0, 1, 2 or 3");
    }
}
