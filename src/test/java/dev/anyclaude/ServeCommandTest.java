package dev.anyclaude;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.testing.AnyclaudeProcess;
import dev.anyclaude.testing.Chunks;
import dev.anyclaude.testing.ScriptedOpenAiServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code anyclaude serve} as a separate process: the one "listening" line, options from env and file. */
class ServeCommandTest {

    static Process launch(List<String> args, java.util.Map<String, String> env, Path dir) throws Exception {
        return AnyclaudeProcess.launch(args, env, dir);
    }

    @Test
    void printsExactlyOneListeningLineAndServes(@TempDir Path dir) throws Exception {
        try (ScriptedOpenAiServer up = new ScriptedOpenAiServer()) {
            up.byDefault(ScriptedOpenAiServer.Reply.json(200, Chunks.completion("pong", 3, 1, 0)));
            Process p =
                    launch(List.of("serve", "--port", "0", "--upstream", up.url() + "/v1/"), java.util.Map.of(), dir);
            try {
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                assertThat(line).matches("anyclaude listening on http://127\\.0\\.0\\.1:\\d+");
                String url = line.substring("anyclaude listening on ".length());
                HttpResponse<String> r = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(url + "/v1/messages"))
                                        .POST(HttpRequest.BodyPublishers.ofString(
                                                "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":"
                                                        + "\"user\",\"content\":\"ping\"}]}"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("pong");
                assertThat(out.ready()).isFalse();
            } finally {
                p.destroy();
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void takesOptionsFromEnvironmentOverConfigFile(@TempDir Path dir) throws Exception {
        try (ScriptedOpenAiServer up = new ScriptedOpenAiServer()) {
            Files.writeString(
                    dir.resolve("anyclaude.yaml"), "upstream: http://127.0.0.1:1\nport: 0\nmodel: from-file\n");
            Process p = launch(List.of("serve"), java.util.Map.of("ANYCLAUDE_UPSTREAM", up.url()), dir);
            try {
                String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                assertThat(line).startsWith("anyclaude listening on http://127.0.0.1:");
                HttpResponse<String> models = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(line.substring(23) + "/v1/models"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(models.body()).contains("from-file");
            } finally {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void refusesAnUnknownConfigKeyWithItsLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("anyclaude.yaml"), "port: 0\nupstraem: http://x\n");
        Process p = launch(List.of("serve"), java.util.Map.of(), dir);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("stderr.txt")))
                .contains("anyclaude.yaml:2")
                .contains("upstraem");
    }
}
