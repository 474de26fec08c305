package dev.anyclaude.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Upstream error replies as the servers word them, classified into the error a client expects. */
class UpstreamErrorsTest {
    private final UpstreamErrors errors = new UpstreamErrors(new ObjectMapper());

    private GatewayException classify(int status, String body) {
        return errors.classify(status, body.getBytes(StandardCharsets.UTF_8), "http://127.0.0.1:8080/v1", -1);
    }

    @Test
    void aChatTemplateExceptionIsTheRequestsFaultNotTheServers() {
        // llama.cpp v0.5.0 answers a Qwen3.5 template's raise_exception with HTTP 500 (InlineSystemTest has the real
        // one)
        GatewayException llama = classify(
                500,
                "{\"error\":{\"code\":500,\"message\":\"\\n------------\\nWhile executing "
                        + "CallExpression at line 85, column 32 in "
                        + "source:\\n...\\nError: Jinja Exception: System message must be at "
                        + "the beginning.\",\"type\":\"server_error\"}}");
        assertThat(llama.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(llama.getMessage())
                .contains("chat template cannot render this request")
                .contains("System message must be at the beginning");
        // vLLM's wording of the same: jinja2's TemplateError in a 400 already, or a 500 from older releases
        GatewayException vllm = classify(
                500,
                "{\"object\":\"error\",\"message\":\"jinja2.exceptions.TemplateError: "
                        + "System message must be at the beginning.\",\"type\":\"BadRequestError\",\"code\":500}");
        assertThat(vllm.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
    }

    @Test
    void anyOther500StaysTheServersFault() {
        assertThat(classify(500, "{\"error\":{\"message\":\"CUDA error: out of memory\"}}")
                        .kind())
                .isEqualTo(ErrorKind.BACKEND_BUG);
    }
}
