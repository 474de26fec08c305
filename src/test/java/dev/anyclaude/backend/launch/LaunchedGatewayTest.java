package dev.anyclaude.backend.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.backend.Flavor;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.testing.GatewayFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway with {@code --launch llama-server} pointing at the stand-in server: wiring, crash window, stop. */
class LaunchedGatewayTest {
    /** A request that no response cache has seen: each one must reach the model server. */
    private static String request(String text) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\""
                + text + "\"}]}";
    }

    /** An executable named like the real server that runs the stand-in with the arguments it is given. */
    static Path standInExecutable(Path dir) throws Exception {
        List<String> argv = ServerSupervisorTest.standInArgv(0);
        String java = argv.getFirst();
        String cp = argv.get(argv.indexOf("-cp") + 1);
        Path bin = dir.resolve("llama-server");
        Files.writeString(
                bin,
                "#!/bin/sh\nexec '" + java + "' -XX:TieredStopAtLevel=1 -cp '" + cp + "' "
                        + StandInServer.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    @Test
    void servesThroughTheLaunchedServerAnswersOverloadedWhileItRestartsAndStopsItOnClose(@TempDir Path dir)
            throws Exception {
        ServeOptions o = GatewayFixture.options(null);
        o.launch = "llama-server";
        o.serverBin = standInExecutable(dir).toString();
        o.model = dir.resolve("tiny-model.gguf").toString();
        o.ctx = 8192;
        o.slots = 2;
        o.serverArgs = List.of("--counter", dir.resolve("incarnations").toString(), "--reload-ms", "4000");
        o.serverLog = dir.resolve("llama-server.log");
        o.slotDir = dir.resolve("slots");
        o.serverReadyTimeoutSeconds = 60;
        long restartedPid;
        LaunchedServer server;
        try (Gateway gateway = Gateway.start(o.settings());
                HttpClient http = HttpClient.newHttpClient()) {
            server = gateway.launched();
            assertThat(gateway.mainModel()).isEqualTo("tiny-model");
            assertThat(gateway.backend().contextTokens()).isEqualTo(8192);
            assertThat(gateway.launched().flavor()).isEqualTo(Flavor.LLAMACPP);
            assertThat(dir.resolve("slots")).isDirectory();
            assertThat(Files.readString(o.serverLog))
                    .contains("--slot-save-path " + dir.resolve("slots"))
                    .contains("--parallel 2")
                    .contains("--jinja")
                    .contains("--reload-ms 4000");

            HttpResponse<String> ok = post(http, gateway, request("first"));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("stand-in says hi");

            long firstPid = server.supervisor().pid();
            ProcessHandle first = ProcessHandle.of(firstPid).orElseThrow();
            first.destroyForcibly();
            first.onExit().get(10, TimeUnit.SECONDS);

            HttpResponse<String> down = post(http, gateway, request("while down"));
            assertThat(down.statusCode()).isEqualTo(529);
            assertThat(down.body()).contains("\"type\":\"overloaded_error\"");

            ServerSupervisorTest.awaitTrue(
                    () -> server.supervisor().restarts() == 1
                            && server.supervisor().state() == ServerSupervisor.State.READY,
                    Duration.ofSeconds(60));
            restartedPid = server.supervisor().pid();
            assertThat(restartedPid).isNotEqualTo(firstPid);
            HttpResponse<String> back = post(http, gateway, request("after the restart"));
            assertThat(back.statusCode()).isEqualTo(200);
            assertThat(back.body()).contains("stand-in says hi");
        }
        assertThat(ServerSupervisorTest.alive(restartedPid)).isFalse();
        assertThat(server.supervisor().processes()).isEmpty();
        assertThat(server.supervisor().state()).isEqualTo(ServerSupervisor.State.STOPPED);
    }

    private static HttpResponse<String> post(HttpClient http, Gateway gateway, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages"))
                        .timeout(Duration.ofSeconds(30))
                        .header("content-type", "application/json")
                        .header("anthropic-version", "2023-06-01")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
