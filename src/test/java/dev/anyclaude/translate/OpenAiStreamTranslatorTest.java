package dev.anyclaude.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.StreamEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenAiStreamTranslatorTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Recorder rec = new Recorder();
    private final OpenAiStreamTranslator t =
            new OpenAiStreamTranslator(MAPPER, rec, OpenAiStreamTranslator.Options.DEFAULT);

    private static String delta(String deltaJson) {
        return "{\"choices\":[{\"index\":0,\"delta\":" + deltaJson + ",\"finish_reason\":null}]}";
    }

    private static String finish(String reason) {
        return "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"" + reason + "\"}]}";
    }

    @Test
    void startsTheMessageAtTheFirstChunkEvenWithoutRole() throws IOException {
        t.onData(delta("{\"content\":\"é\"}"));
        assertThat(rec.lines()).containsExactly("start", "open 0 text", "text é");
    }

    @Test
    void startCanBeCalledBeforeAnyChunkAndOnlyOnce() throws IOException {
        t.start();
        t.start();
        t.onData(delta("{\"role\":\"assistant\",\"content\":\"\"}"));
        assertThat(rec.lines()).containsExactly("start");
    }

    @Test
    void waitsForTheUsageChunkAfterFinishReasonUntilDone() throws IOException {
        t.onData(delta("{\"content\":\"x\"}"));
        t.onData(finish("stop"));
        assertThat(rec.lines()).doesNotContain("message_stop");
        t.onData("{\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":4}}}");
        t.onData("[DONE]");
        t.onEnd(); // the EOF after [DONE] changes nothing
        assertThat(rec.lines())
                .containsExactly("start", "open 0 text", "text x", "close 0", "delta end_turn", "message_stop");
        assertThat(((StreamEvent.MessageDelta) rec.events.get(4)).usage())
                .isEqualTo(new dev.anyclaude.messages.Usage(6, 2, 4, 0));
    }

    @Test
    void holdsArgumentsThatArriveBeforeTheFunctionName() throws IOException {
        t.onData(delta("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\":\"}}]}"));
        t.onData(delta(
                "{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"F\",\"arguments\":\"1}\"}}]}"));
        t.onData(finish("tool_calls"));
        t.onEnd();
        assertThat(rec.merged())
                .containsExactly(
                        "start", "open 0 tool F", "json {\"a\":1}", "close 0", "delta tool_use", "message_stop");
    }

    @Test
    void aServerThatNumbersEveryCallZeroStillGetsOneBlockPerCall() throws IOException {
        t.onData(delta(
                "{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"F\",\"arguments\":\"{}\"}}]}"));
        t.onData(delta(
                "{\"tool_calls\":[{\"index\":0,\"id\":\"b\",\"function\":{\"name\":\"G\",\"arguments\":\"{}\"}}]}"));
        t.onData(finish("tool_calls"));
        t.onEnd();
        assertThat(rec.lines())
                .containsExactly(
                        "start",
                        "open 0 tool F",
                        "json {}",
                        "close 0",
                        "open 1 tool G",
                        "json {}",
                        "close 1",
                        "delta tool_use",
                        "message_stop");
    }

    @Test
    void acceptsArgumentsSentAsAnObject() throws IOException {
        t.onData(delta("{\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"F\",\"arguments\":{\"k\":[1,2]}}}]}"));
        t.onData(finish("tool_calls"));
        t.onEnd();
        assertThat(rec.lines()).contains("json {\"k\":[1,2]}");
    }

    @Test
    void refusesToReopenAToolCallInterleavedWithText() throws IOException {
        t.onData(delta(
                "{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"F\",\"arguments\":\"{\"}}]}"));
        t.onData(delta("{\"content\":\"oops\"}"));
        assertThatThrownBy(() -> t.onData(delta("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"}\"}}]}")))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.PROTOCOL_VIOLATION));
    }

    @Test
    void anEmptyStreamIsAProtocolViolation() {
        assertThatThrownBy(t::onEnd).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.PROTOCOL_VIOLATION);
            assertThat(e.getMessage()).isEqualTo("the backend's stream ended without any data");
        });
    }

    @Test
    void doneWithoutFinishReasonIsIncomplete() throws IOException {
        t.onData(delta("{\"content\":\"par\"}"));
        assertThatThrownBy(() -> t.onData("[DONE]"))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.getMessage()).contains("no finish_reason"));
    }

    @Test
    void garbageIsAProtocolViolationNamingWhatCame() {
        assertThatThrownBy(() -> t.onData("<html>502 Bad Gateway</html>"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.PROTOCOL_VIOLATION);
                    assertThat(e.getMessage()).contains("<html>502 Bad Gateway</html>");
                });
    }

    @Test
    void mapsServerErrorPayloadsToTheirKind() {
        assertThatThrownBy(
                        () -> t.onData("{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.BACKEND_OVERLOADED);
                    assertThat(e.getMessage()).isEqualTo("backend error: Loading model");
                });
        OpenAiStreamTranslator t2 = new OpenAiStreamTranslator(MAPPER, rec, OpenAiStreamTranslator.Options.DEFAULT);
        assertThatThrownBy(() -> t2.onData(
                        "{\"object\":\"error\",\"message\":\"bad\",\"type\":\"BadRequestError\",\"code\":400}"))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST));
        OpenAiStreamTranslator t3 = new OpenAiStreamTranslator(MAPPER, rec, OpenAiStreamTranslator.Options.DEFAULT);
        assertThatThrownBy(() -> t3.onData("{\"error\":\"model crashed\"}"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.BACKEND_BUG);
                    assertThat(e.getMessage()).isEqualTo("backend error: model crashed");
                });
    }

    @Test
    void contentFilterIsARefusal() throws IOException {
        t.onData(delta("{\"content\":\"I can't\"}"));
        t.onData(finish("content_filter"));
        t.onEnd();
        assertThat(rec.lines()).contains("delta refusal");
    }

    @Test
    void nonStreamingResponsesGiveTheSameEventsAsTheirStream() throws IOException {
        String body =
                "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"reasoning_content\":\"r\",\"content\":\"hi\","
                        + "\"tool_calls\":[{\"id\":\"x\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"F\",\"arguments\":\"\"}}]},"
                        + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}";
        new OpenAiResponseTranslator(MAPPER, OpenAiStreamTranslator.Options.DEFAULT)
                .translate(body.getBytes(StandardCharsets.UTF_8), rec);
        Recorder streamed = new Recorder();
        OpenAiStreamTranslator s = new OpenAiStreamTranslator(MAPPER, streamed, OpenAiStreamTranslator.Options.DEFAULT);
        s.onData(delta("{\"reasoning_content\":\"r\"}"));
        s.onData(delta("{\"content\":\"hi\"}"));
        s.onData(delta(
                "{\"tool_calls\":[{\"index\":0,\"id\":\"x\",\"function\":{\"name\":\"F\",\"arguments\":\"\"}}]}"));
        s.onData(finish("tool_calls"));
        s.onData("{\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}");
        s.onEnd();
        assertThat(rec.lines()).isEqualTo(streamed.lines());
        assertThat(rec.lines()).contains("json {}", "delta tool_use");
    }

    @Test
    void aNonStreamingErrorBodyKeepsTheServersMessage() {
        OpenAiResponseTranslator r = new OpenAiResponseTranslator(MAPPER, OpenAiStreamTranslator.Options.DEFAULT);
        assertThatThrownBy(() -> r.translate(
                        ("{\"error\":{\"code\":400,\"message\":\"the request exceeds the available context "
                                        + "size\",\"type\":\"exceed_context_size_error\","
                                        + "\"n_prompt_tokens\":9000,\"n_ctx\":8192}}")
                                .getBytes(StandardCharsets.UTF_8),
                        rec))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONTEXT_OVERFLOW);
                    assertThat(e.getMessage()).isEqualTo("prompt is too long: 9000 tokens > 8192 maximum");
                });
        assertThatThrownBy(() -> r.translate("{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8), rec))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.PROTOCOL_VIOLATION));
    }

    @Test
    void toolArgumentsThatAreNotAJsonObjectFailTheResponseInsteadOfReachingTheClientAsACall() throws IOException {
        t.onData(delta("{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":"
                + "{\"name\":\"F\",\"arguments\":\"{\\\"x\\\": 1\"}}]}"));
        t.onData(delta("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"} trailing\"}}]}"));
        t.onData(finish("tool_calls"));
        assertThatThrownBy(t::onEnd).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.PROTOCOL_VIOLATION);
            assertThat(e.getMessage()).endsWith("tool call F are not a JSON object: {\"x\": 1} trailing");
        });
        assertThat(rec.lines()).doesNotContain("message_stop");
    }

    @Test
    void chunksThatAreNotObjectsAreProtocolViolationsNotClientDisconnects() {
        for (String data : new String[] {"[1,2]", "42", "\"text\"", "{\"choices\":[{\"delta\":"}) {
            OpenAiStreamTranslator fresh =
                    new OpenAiStreamTranslator(MAPPER, rec, OpenAiStreamTranslator.Options.DEFAULT);
            assertThatThrownBy(() -> fresh.onData(data))
                    .as(data)
                    .isInstanceOfSatisfying(
                            GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.PROTOCOL_VIOLATION));
        }
    }
}
