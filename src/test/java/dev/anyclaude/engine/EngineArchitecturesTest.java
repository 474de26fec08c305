package dev.anyclaude.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.testing.AnyclaudeProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The current architectures {@code gen-model --arch} writes run on the embedded engine, each in its own
 * process (one model per process): {@code anyclaude serve --model FILE} answers a message and reports what
 * llama.cpp loaded.
 */
class EngineArchitecturesTest {

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "qwen3moe"})
    void theEmbeddedEngineServesTheArchitecture(String arch, @TempDir Path dir) throws Exception {
        Path model = dir.resolve(arch + ".gguf");
        List<String> gen = new ArrayList<>(List.of(
                "gen-model",
                "--out",
                model.toString(),
                "--arch",
                arch,
                "--embd",
                "128",
                "--layers",
                "2",
                "--heads",
                "4",
                "--kv-heads",
                "2",
                "--ff",
                "128",
                "--ctx",
                "2048"));
        if (arch.equals("qwen3moe")) {
            gen.addAll(List.of("--experts", "4", "--experts-used", "2"));
        }
        Process g = AnyclaudeProcess.launch(gen, Map.of(), dir);
        assertThat(g.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(g.exitValue())
                .as(Files.readString(dir.resolve("stderr.txt")))
                .isZero();

        Process p = AnyclaudeProcess.launch(
                List.of("serve", "--port", "0", "--model", model.toString(), "--ctx", "1024", "--slots", "2"),
                Map.of(),
                dir);
        try {
            String line =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            String log = Files.readString(dir.resolve("stderr.txt"));
            assertThat(line).as(log).startsWith("anyclaude listening on ");
            assertThat(log).contains("model " + model.toRealPath()).contains("(" + arch + " ");
            String url = line.substring("anyclaude listening on ".length());
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url + "/v1/messages"))
                                    .header("content-type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"model\":\"m\",\"max_tokens\":8,\"temperature\":0,"
                                                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"type\":\"message\"").contains("\"input_tokens\"");
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
