package dev.anyclaude.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.MessageCreateParams;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.testing.Chunks;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.ScriptedOpenAiServer.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /metrics, /health, /ready and the API key, over real HTTP against a scripted backend. */
class OperationsEndpointsTest {
    private static final String STREAM = "{\"model\":\"claude-opus-4-8\",\"max_tokens\":50,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me about zebra-stripes-7731\"}]}";

    private GatewayFixture fx;

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    /** The value of the one sample of {@code metric} whose labels include all of {@code labels}. */
    static double sample(String scrape, String metric, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(metric) + "(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(scrape);
        Double found = null;
        while (m.find()) {
            String set = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String l : labels) {
                all &= set.contains(l);
            }
            if (all) {
                assertThat(found)
                        .as("one sample of %s with %s", metric, String.join(",", labels))
                        .isNull();
                found = Double.parseDouble(m.group(2));
            }
        }
        assertThat(found)
                .as("a sample of %s with %s in:%n%s", metric, String.join(",", labels), scrape)
                .isNotNull();
        return found;
    }

    @Test
    void metricsCountRequestsTokensLatencyAndErrorsWithoutAnyPromptOrResponseText() throws Exception {
        fx = new GatewayFixture();
        fx.upstream.then(Reply.stream(
                wordByWord("The zebra-answer-4242 is here, told one word at a time."), Duration.ofMillis(15), true));

        assertThat(fx.post("/v1/messages", STREAM).statusCode()).isEqualTo(200);
        assertThat(fx.post("/v1/messages", "{\"model\":\"m\",\"max_tokens\":-1,\"messages\":[]}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(fx.get("/nowhere").statusCode()).isEqualTo(404);
        System.gc(); // meters hold their state weakly: what was not kept alive would read NaN now
        HttpResponse<String> metrics = fx.get("/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
        String s = metrics.body();
        String[] ok = {"route=\"messages\"", "model=\"stub-model\"", "backend=\"openai\"", "outcome=\"ok\""};
        assertThat(sample(s, "anyclaude_requests_seconds_count", ok)).isEqualTo(1);
        assertThat(sample(s, "anyclaude_requests_seconds_bucket", append(ok, "le=\"+Inf\"")))
                .as("a latency histogram")
                .isEqualTo(1);
        assertThat(sample(s, "anyclaude_time_to_first_token_seconds_count", "cache=\"miss\""))
                .isEqualTo(1);
        assertThat(sample(s, "anyclaude_output_tokens_per_second_count", "model=\"stub-model\""))
                .isEqualTo(1);
        assertThat(sample(s, "anyclaude_prompt_tokens_total", "model=\"stub-model\""))
                .isEqualTo(120);
        assertThat(sample(s, "anyclaude_prompt_tokens_reused_total", "model=\"stub-model\""))
                .isEqualTo(100);
        assertThat(sample(s, "anyclaude_output_tokens_total", "model=\"stub-model\""))
                .isEqualTo(7);
        assertThat(sample(s, "anyclaude_errors_total", "route=\"messages\"", "kind=\"invalid_request\""))
                .isEqualTo(1);
        assertThat(sample(s, "anyclaude_errors_total", "route=\"other\"", "kind=\"not_found\""))
                .isEqualTo(1);
        assertThat(sample(s, "anyclaude_requests_in_flight")).isZero();
        assertThat(sample(s, "anyclaude_backend_up", "backend=\"openai\"")).isEqualTo(1);
        assertThat(sample(s, "anyclaude_backend_attempts_total", "result=\"ok\""))
                .isEqualTo(1);
        assertThat(sample(s, "anyclaude_memory_used_bytes", "source=\"heap\"")).isPositive();
        assertThat(sample(s, "anyclaude_memory_pressure")).isZero();
        assertThat(s).contains("jvm_memory_used_bytes{").contains("jvm_threads_live_threads");
        if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/status"))) {
            assertThat(sample(s, "process_resident_memory_bytes")).isPositive();
            assertThat(sample(s, "anyclaude_memory_limit_bytes", "source=\"system\""))
                    .isPositive();
        }
        assertThat(s.lines().filter(l -> l.startsWith("anyclaude_") || l.startsWith("process_resident")))
                .as("no meter lost its state")
                .noneMatch(l -> l.endsWith("NaN"));
        assertThat(s).doesNotContain("zebra").doesNotContain("tell me");
    }

    @Test
    void failuresAfterTheRequestBeganAreCountedOnceByKind() throws Exception {
        fx = new GatewayFixture();
        fx.upstream.byDefault(Reply.status(500, "{\"error\":{\"message\":\"boom\"}}", null));

        fx.post("/v1/messages", STREAM);
        fx.post("/v1/messages", STREAM);
        String s = fx.get("/metrics").body();

        assertThat(sample(s, "anyclaude_errors_total", "route=\"messages\"", "kind=\"backend_bug\""))
                .isEqualTo(2);
        assertThat(sample(s, "anyclaude_requests_seconds_count", "outcome=\"error\""))
                .isEqualTo(2);
    }

    @Test
    void responseCacheFiguresComeFromTheRealResponseCache() throws Exception {
        fx = new GatewayFixture();
        fx.upstream.then(Reply.stream(Chunks.text("cached answer")));
        fx.post("/v1/messages", STREAM);
        fx.post("/v1/messages", STREAM);
        System.gc();

        String s = fx.get("/metrics").body();

        assertThat(sample(s, "anyclaude_response_cache_hits_total")).isEqualTo(1);
        assertThat(sample(s, "anyclaude_response_cache_misses_total")).isEqualTo(1);
        assertThat(sample(s, "anyclaude_response_cache_entries")).isEqualTo(1);
        assertThat(sample(s, "anyclaude_response_cache_stored_bytes")).isPositive();
        assertThat(fx.upstream.chatRequests()).hasSize(1);
    }

    @Test
    void readyAndHealthAnswerProbesWithAndWithoutBodies() throws Exception {
        fx = new GatewayFixture();

        HttpResponse<String> ready = fx.get("/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"ready\",\"backend\":\"openai\",\"reason\":\"ok\"}");
        assertThat(head("/ready").statusCode()).isEqualTo(200);
        assertThat(head("/health").statusCode()).isEqualTo(200);
        assertThat(fx.get("/health").body()).contains("\"status\":\"ok\"");
    }

    @Test
    void withAKeyEveryRouteButTheProbesRequiresIt() throws Exception {
        fx = new GatewayFixture(o -> o.apiKey = "sk-test");

        HttpResponse<String> anonymous = fx.post("/v1/messages", STREAM);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("\"type\":\"authentication_error\"");
        assertThat(fx.post("/v1/messages", STREAM, b -> b.header("x-api-key", "sk-wrong"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(fx.get("/metrics").statusCode()).isEqualTo(401);
        assertThat(fx.get("/v1/models").statusCode()).isEqualTo(401);
        assertThat(fx.get("/nowhere").statusCode())
                .as("no route list for strangers")
                .isEqualTo(401);
        assertThat(fx.upstream.chatRequests()).isEmpty();

        assertThat(fx.get("/health").statusCode()).isEqualTo(200);
        assertThat(fx.get("/ready").statusCode()).isEqualTo(200);
        assertThat(fx.post("/v1/messages", STREAM, b -> b.header("x-api-key", "sk-test"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(fx.post("/v1/messages", STREAM, b -> b.header("authorization", "Bearer sk-test"))
                        .statusCode())
                .isEqualTo(200);
        fx.upstream.then(Reply.json(200, Chunks.completion("hello", 3, 1, 0)));
        AnthropicClient client = fx.client();
        try {
            assertThat(client.messages()
                            .create(MessageCreateParams.builder()
                                    .model("claude-opus-4-8")
                                    .maxTokens(20)
                                    .addUserMessage("hi")
                                    .build())
                            .content())
                    .isNotEmpty();
        } finally {
            client.close();
        }
        HttpResponse<String> metrics = http(HttpRequest.newBuilder(URI.create(fx.url() + "/metrics"))
                .header("authorization", "Bearer sk-test")
                .GET());
        assertThat(sample(metrics.body(), "anyclaude_errors_total", "kind=\"authentication\""))
                .isEqualTo(5);
    }

    @Test
    void aNonLoopbackAddressWithoutAKeyIsRefusedAtStartUp() throws Exception {
        fx = new GatewayFixture();
        var o = GatewayFixture.options(fx.upstream.url());
        o.host = "0.0.0.0";
        int seen = fx.upstream.received().size();

        assertThatThrownBy(() -> Gateway.start(o.settings()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--host 0.0.0.0 is not a loopback address")
                .hasMessageContaining("--api-key KEY or --api-key-file FILE");
        assertThat(fx.upstream.received())
                .as("refused before the backend was even probed")
                .hasSize(seen);
    }

    /** A streamed answer of one content chunk per word, so decoding takes measurable time. */
    static java.util.List<String> wordByWord(String text) {
        java.util.List<String> out = new java.util.ArrayList<>();
        out.add(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
        for (String w : text.split(" ")) {
            out.add(chunk("{\"content\":" + Chunks.quote(w + " ") + "}", null));
        }
        out.add(chunk("{}", "stop"));
        out.add(Chunks.usage(120, 7, 100));
        return out;
    }

    private static String chunk(String delta, String finish) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"stub-model\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static String[] append(String[] a, String b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }

    private HttpResponse<String> head(String path) throws Exception {
        return http(HttpRequest.newBuilder(URI.create(fx.url() + path))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    private static HttpResponse<String> http(HttpRequest.Builder b) throws Exception {
        try (HttpClient c =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return c.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
