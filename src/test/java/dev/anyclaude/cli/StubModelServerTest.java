package dev.anyclaude.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StubModelServerTest {

    private static HttpResponse<String> post(StubModelServer stub, String body) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(stub.url() + "/v1/chat/completions"))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void streamsTheFixedAnswerAsOpenAiChunksEndingWithDone() throws Exception {
        try (StubModelServer stub = StubModelServer.start(0)) {
            HttpResponse<String> r = post(stub, "{\"model\":\"m\",\"messages\":[],\"stream\":true}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
            assertThat(r.body())
                    .contains("\"content\":\"Hello!\"", "\"finish_reason\":\"stop\"", "\"usage\":")
                    .endsWith("data: [DONE]\n\n");
            assertThat(stub.completions()).isEqualTo(1);
        }
    }

    @Test
    void answersOneJsonCompletionWhenNotStreaming() throws Exception {
        try (StubModelServer stub = StubModelServer.start(0)) {
            HttpResponse<String> r = post(stub, "{\"model\":\"m\",\"stream\":false,\"messages\":[]}");
            assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(r.body())
                    .contains("\"object\":\"chat.completion\"", "\"content\":\"" + StubModelServer.ANSWER + "\"");
        }
    }

    @Test
    void listsItsModelAndAnswers404Elsewhere() throws Exception {
        try (StubModelServer stub = StubModelServer.start(0)) {
            HttpClient c = HttpClient.newHttpClient();
            HttpResponse<String> models = c.send(
                    HttpRequest.newBuilder(URI.create(stub.url() + "/v1/models"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(models.body()).contains("\"id\":\"" + StubModelServer.MODEL + "\"");
            HttpResponse<String> other = c.send(
                    HttpRequest.newBuilder(URI.create(stub.url() + "/props")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void readsTheStreamFlagIgnoringToolPropertiesNamedStream() {
        assertThat(flag("{\"stream\" : true}")).isTrue();
        assertThat(flag("{\"stream\":false}")).isFalse();
        assertThat(flag("{\"messages\":[]}")).isFalse();
        assertThat(flag("{\"stream\":true,\"tools\":[{\"parameters\":{\"properties\":"
                        + "{\"stream\":{\"type\":\"boolean\"}}}}]}"))
                .isTrue();
        assertThat(flag("{\"messages\":[{\"content\":\"say \\\"stream\\\":false\"}],\"stream\":true}"))
                .isTrue();
    }

    private static boolean flag(String json) {
        return StubModelServer.streamFlag(json.getBytes(StandardCharsets.UTF_8));
    }
}
