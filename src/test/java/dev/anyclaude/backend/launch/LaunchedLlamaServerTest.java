package dev.anyclaude.backend.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.backend.Flavor;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.engine.TestModels;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.LlamaServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --launch llama-server} with the real server of the pinned release: it starts with a progress display
 * and a health wait, runs the command line it printed, comes back on the same port after {@code kill -9}, and
 * leaves no process behind when the gateway stops.
 */
class LaunchedLlamaServerTest {

    private static String request(String text) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\""
                + text + "\"}]}";
    }

    @Test
    void startsTheRealServerRestartsItAfterKill9OnTheSamePortAndStopsIt(@TempDir Path dir) throws Exception {
        ServeOptions o = GatewayFixture.options(null);
        o.launch = "llama-server";
        o.serverBin = LlamaServerProcess.binary().toString();
        o.model = TestModels.tiny().toString();
        o.ctx = 4096;
        o.slots = 2;
        o.serverLog = dir.resolve("llama-server.log");
        o.slotDir = dir.resolve("slots");
        o.serverReadyTimeoutSeconds = 120;
        long firstPid;
        long restartedPid;
        LaunchedServer server;
        try (Gateway gateway = Gateway.start(o.settings());
                HttpClient http = HttpClient.newHttpClient()) {
            server = gateway.launched();
            assertThat(gateway.backend().contextTokens()).isEqualTo(4096);
            assertThat(server.flavor()).isEqualTo(Flavor.LLAMACPP);
            firstPid = server.supervisor().pid();
            assertThat(commandLine(firstPid)).isEqualTo(server.command().argv());
            assertThat(server.command().display())
                    .contains("--slot-save-path " + dir.resolve("slots"))
                    .contains("-c 4096")
                    .contains("--metrics");

            HttpResponse<String> ok = post(http, gateway, request("first"));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("\"type\":\"message\"");
            int port = server.baseUrl().getPort();

            ProcessHandle first = ProcessHandle.of(firstPid).orElseThrow();
            first.destroyForcibly(); // SIGKILL
            first.onExit().get(10, TimeUnit.SECONDS);

            ServerSupervisorTest.awaitTrue(
                    () -> server.supervisor().restarts() == 1
                            && server.supervisor().state() == ServerSupervisor.State.READY,
                    Duration.ofSeconds(120));
            restartedPid = server.supervisor().pid();
            assertThat(restartedPid).isNotEqualTo(firstPid);
            assertThat(server.baseUrl().getPort()).isEqualTo(port);
            assertThat(commandLine(restartedPid)).contains("--port", Integer.toString(port));
            HttpResponse<String> back = post(http, gateway, request("after the restart"));
            assertThat(back.statusCode()).isEqualTo(200);
            assertThat(back.body()).contains("\"type\":\"message\"");
        }
        assertThat(ProcessHandle.of(restartedPid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        assertThat(server.supervisor().processes()).isEmpty();
        assertThat(server.supervisor().state()).isEqualTo(ServerSupervisor.State.STOPPED);
        assertThat(Files.readString(o.serverLog)).contains("llama");
    }

    @Test
    void withNoServerBinAndNoneOnThePathItRunsThePinnedBuild(@TempDir Path dir) throws Exception {
        Path pinned = LlamaServerProcess.binary(); // built once per machine by scripts/llama-server.sh
        org.junit.jupiter.api.Assumptions.assumeFalse(
                PinnedLlamaServer.onPath("llama-server"), "a llama-server on the PATH is used before the pinned build");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                PinnedLlamaServer.built().isPresent(),
                "the pinned build lives in another cache directory (-Danyclaude.llama-server)");
        ServeOptions o = GatewayFixture.options(null);
        o.launch = "llama-server";
        o.model = TestModels.tiny().toString();
        o.ctx = 4096;
        o.slots = 1;
        o.serverLog = dir.resolve("llama-server.log");
        o.slotDir = dir.resolve("slots");
        try (Gateway gateway = Gateway.start(o.settings())) {
            List<String> argv = commandLine(gateway.launched().supervisor().pid());
            assertThat(Path.of(argv.getFirst()))
                    .isEqualTo(PinnedLlamaServer.built().orElseThrow());
            assertThat(Path.of(argv.getFirst()).toRealPath()).isEqualTo(pinned.toRealPath());
        }
    }

    /** The argument vector a running process was started with, from /proc. */
    private static List<String> commandLine(long pid) throws Exception {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
        String s = new String(raw, StandardCharsets.UTF_8);
        if (s.endsWith("\0")) {
            s = s.substring(0, s.length() - 1);
        }
        return List.of(s.split("\0", -1));
    }

    private static HttpResponse<String> post(HttpClient http, Gateway gateway, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages"))
                        .timeout(Duration.ofSeconds(60))
                        .header("content-type", "application/json")
                        .header("anthropic-version", "2023-06-01")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
