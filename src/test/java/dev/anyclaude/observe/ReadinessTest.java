package dev.anyclaude.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.backend.launch.LaunchedServer;
import dev.anyclaude.backend.launch.ServerSupervisor;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.engine.TestModels;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.LlamaServerProcess;
import dev.anyclaude.testing.ScriptedOpenAiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /ready} and {@code anyclaude_backend_up} follow the model server as it is now, with real processes:
 * the real llama-server killed with SIGKILL and started again, an OpenAI-compatible server closed and reopened,
 * one of two replicas dying, and a launched server being restarted by its supervisor. Each change shows within
 * two seconds.
 */
class ReadinessTest {
    private static final Duration WITHIN = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> get(Gateway g, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(g.url() + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls /ready until {@code until} holds, for at most {@code within}; returns the last answer. */
    private HttpResponse<String> ready(Gateway g, Predicate<HttpResponse<String>> until, Duration within)
            throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        HttpResponse<String> r = get(g, "/ready");
        while (!until.test(r) && System.nanoTime() < deadline) {
            Thread.sleep(25);
            r = get(g, "/ready");
        }
        return r;
    }

    private static boolean up(HttpResponse<String> r) {
        return r.statusCode() == 200;
    }

    private static boolean down(HttpResponse<String> r) {
        return r.statusCode() == 503;
    }

    private double backendUp(Gateway g) throws Exception {
        for (String line : get(g, "/metrics").body().split("\n")) {
            if (line.startsWith("anyclaude_backend_up{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no anyclaude_backend_up in /metrics");
    }

    private static Gateway gateway(String upstream) {
        ServeOptions o = GatewayFixture.options(upstream);
        o.responseCache = "off";
        return Gateway.start(o.settings());
    }

    @Test
    void aKilledLlamaServerIsNotReadyAtOnceAndReadyAgainOnceItIsBack() throws Exception {
        try (LlamaServerProcess server = LlamaServerProcess.start("-c", "4096");
                Gateway g = gateway(server.url())) {
            assertThat(ready(g, ReadinessTest::up, WITHIN).statusCode()).isEqualTo(200);
            assertThat(backendUp(g)).isEqualTo(1.0);

            server.kill();
            HttpResponse<String> dead = ready(g, ReadinessTest::down, WITHIN);
            assertThat(dead.statusCode()).as(dead.body()).isEqualTo(503);
            assertThat(dead.body()).contains("\"status\":\"not_ready\"").contains("unreachable");
            assertThat(backendUp(g)).isEqualTo(0.0);

            server.restart(); // same port; returns once its /health says ok
            HttpResponse<String> back = ready(g, ReadinessTest::up, WITHIN);
            assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
            assertThat(backendUp(g)).isEqualTo(1.0);
        }
    }

    @Test
    void aRequestThatFindsTheServerGoneMakesTheVeryNextReadyAnswerNotReady() throws Exception {
        try (LlamaServerProcess server = LlamaServerProcess.start("-c", "4096");
                Gateway g = gateway(server.url())) {
            assertThat(ready(g, ReadinessTest::up, WITHIN).statusCode()).isEqualTo(200);
            server.kill();
            HttpResponse<String> failed = http.send(
                    HttpRequest.newBuilder(URI.create(g.url() + "/v1/messages"))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"model\":\"m\",\"max_tokens\":4,\"messages\":[{\"role\":"
                                            + "\"user\",\"content\":\"hi\"}]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(failed.statusCode()).isEqualTo(529);
            HttpResponse<String> next = get(g, "/ready");
            assertThat(next.statusCode()).as(next.body()).isEqualTo(503);
            assertThat(next.body()).contains("unreachable");
        }
    }

    @Test
    void aClosedOpenAiCompatibleServerIsNotReadyAndReadyAgainWhenItReturns() throws Exception {
        ScriptedOpenAiServer first = new ScriptedOpenAiServer();
        int port = first.port();
        try (Gateway g = gateway(first.url())) {
            assertThat(ready(g, ReadinessTest::up, WITHIN).statusCode()).isEqualTo(200);
            first.close();
            HttpResponse<String> dead = ready(g, ReadinessTest::down, WITHIN);
            assertThat(dead.statusCode()).as(dead.body()).isEqualTo(503);
            try (ScriptedOpenAiServer again = new ScriptedOpenAiServer(port)) {
                HttpResponse<String> back = ready(g, ReadinessTest::up, WITHIN);
                assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
            }
        } finally {
            first.close();
        }
    }

    @Test
    void oneDeadReplicaOfTwoIsDegradedBothDeadIsNotReady() throws Exception {
        try (LlamaServerProcess a = LlamaServerProcess.start("-c", "4096");
                LlamaServerProcess b = LlamaServerProcess.start("-c", "4096");
                Gateway g = gateway(a.url() + "," + b.url())) {
            assertThat(ready(g, r -> up(r) && r.body().contains("\"reason\":\"ok\""), WITHIN)
                            .body())
                    .contains("\"ok\"");
            b.kill();
            HttpResponse<String> degraded = ready(g, r -> r.body().contains("degraded"), WITHIN);
            assertThat(degraded.statusCode()).isEqualTo(200);
            assertThat(degraded.body()).contains("degraded").contains(Integer.toString(b.port()));
            a.kill();
            assertThat(ready(g, ReadinessTest::down, WITHIN).statusCode()).isEqualTo(503);
            a.restart();
            b.restart();
            HttpResponse<String> back = ready(g, r -> up(r) && r.body().contains("\"reason\":\"ok\""), WITHIN);
            assertThat(back.body()).as(back.body()).contains("\"reason\":\"ok\"");
        }
    }

    @Test
    void aLaunchedServerBeingRestartedSaysSoAndIsReadyOnceItIsUp() throws Exception {
        ServeOptions o = GatewayFixture.options(null);
        o.launch = "llama-server";
        o.serverBin = LlamaServerProcess.binary().toString();
        o.model = TestModels.tiny().toString();
        o.ctx = 4096;
        o.slots = 1;
        o.serverLog = dir.resolve("llama-server.log");
        o.slotDir = dir.resolve("slots");
        try (Gateway g = Gateway.start(o.settings())) {
            LaunchedServer server = g.launched();
            assertThat(ready(g, ReadinessTest::up, WITHIN).statusCode()).isEqualTo(200);
            ProcessHandle.of(server.supervisor().pid()).orElseThrow().destroyForcibly();
            HttpResponse<String> restarting = ready(g, r -> r.body().contains("restarting"), WITHIN);
            assertThat(restarting.statusCode()).isEqualTo(503);
            assertThat(restarting.body()).contains("llama-server restarting (attempt 1)");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (server.supervisor().state() != ServerSupervisor.State.READY && System.nanoTime() < deadline) {
                Thread.sleep(25);
            }
            assertThat(server.supervisor().state()).isEqualTo(ServerSupervisor.State.READY);
            assertThat(ready(g, ReadinessTest::up, WITHIN).statusCode()).isEqualTo(200);
        }
    }
}
