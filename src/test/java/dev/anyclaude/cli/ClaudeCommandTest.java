package dev.anyclaude.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.testing.ScriptedOpenAiServer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code anyclaude claude} with a stand-in for the claude executable: arguments, environment, exit code, lifetime. */
class ClaudeCommandTest {

    static ProcessBuilder anyclaude(Path dir, List<String> args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd =
                new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, "dev.anyclaude.Main"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ANYCLAUDE_") || k.startsWith("ANTHROPIC_"));
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("XDG_STATE_HOME", dir.resolve("state").toString());
        return pb;
    }

    @Test
    void withoutClaudeInstalledItSaysHowToInstallItAndStartsNothing(@TempDir Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ClaudeCommand command = new ClaudeCommand(
                Map.of("PATH", dir.toString(), "HOME", dir.toString()),
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                null);

        int code = new CommandLine(command).execute("--upstream", "http://127.0.0.1:1");

        assertThat(code).isEqualTo(127);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("npm install -g @anthropic-ai/claude-code")
                .contains("--claude-bin")
                .doesNotContain("gateway http");
    }

    @Test
    void passesArgumentsUnchangedReturnsClaudesExitCodeAndStopsTheGatewayAfterIt(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("claude");
        Files.writeString(fake, """
                #!/bin/bash
                out="$FAKE_CLAUDE_OUT"
                printf '%s\\n' "$@" > "$out.args"
                env > "$out.env"
                port="${ANTHROPIC_BASE_URL##*:}"
                if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo reachable > "$out.reach"; fi
                exit 3
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (ScriptedOpenAiServer upstream = new ScriptedOpenAiServer()) {
            ProcessBuilder pb = anyclaude(
                            dir,
                            List.of(
                                    "claude",
                                    "--claude-bin",
                                    fake.toString(),
                                    "--upstream",
                                    upstream.url(),
                                    "--ctx",
                                    "65536",
                                    "--",
                                    "-p",
                                    "two words",
                                    "--model",
                                    "x",
                                    "--"))
                    .redirectOutput(dir.resolve("out.txt").toFile())
                    .redirectError(dir.resolve("err.txt").toFile());
            pb.environment().put("FAKE_CLAUDE_OUT", dir.resolve("fake").toString());
            pb.environment().put("ANTHROPIC_API_KEY", "sk-ant-a-real-key");
            Process p = pb.start();

            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String stderr = Files.readString(dir.resolve("err.txt"));
            assertThat(p.exitValue()).as(stderr).isEqualTo(3);
            assertThat(Files.readAllLines(dir.resolve("fake.args")))
                    .containsExactly("-p", "two words", "--model", "x", "--");
            List<String> env = Files.readAllLines(dir.resolve("fake.env"));
            String baseUrl = env.stream()
                    .filter(l -> l.startsWith("ANTHROPIC_BASE_URL="))
                    .findFirst()
                    .orElseThrow()
                    .substring("ANTHROPIC_BASE_URL=".length());
            assertThat(baseUrl).matches("http://127\\.0\\.0\\.1:\\d+");
            assertThat(env)
                    .contains(
                            "ANTHROPIC_MODEL=stub-model",
                            "ANTHROPIC_SMALL_FAST_MODEL=stub-model",
                            "CLAUDE_CODE_ATTRIBUTION_HEADER=0",
                            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
                            "CLAUDE_CODE_MAX_CONTEXT_TOKENS=65536",
                            "CLAUDE_CODE_MAX_OUTPUT_TOKENS=8192",
                            "ANTHROPIC_AUTH_TOKEN=anyclaude-local");
            assertThat(env).noneMatch(l -> l.startsWith("ANTHROPIC_API_KEY="));
            assertThat(dir.resolve("fake.reach"))
                    .as("the gateway was up while claude ran")
                    .exists();
            int port = Integer.parseInt(baseUrl.substring(baseUrl.lastIndexOf(':') + 1));
            assertThat(connects(port))
                    .as("the gateway is stopped once claude exited")
                    .isFalse();
            assertThat(stderr).contains("anyclaude: gateway " + baseUrl + " -> " + upstream.url());
        }
    }

    @Test
    void printEnvPrintsShellLinesAndKeepsTheGatewayServing(@TempDir Path dir) throws Exception {
        try (ScriptedOpenAiServer upstream = new ScriptedOpenAiServer()) {
            Process p = anyclaude(dir, List.of("claude", "--print-env", "--port", "0", "--upstream", upstream.url()))
                    .redirectError(dir.resolve("err.txt").toFile())
                    .start();
            try {
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                List<String> lines = new ArrayList<>();
                String line;
                while ((line = out.readLine()) != null && !line.startsWith("export API_TIMEOUT_MS=")) {
                    lines.add(line);
                }
                assertThat(line).as(Files.readString(dir.resolve("err.txt"))).isNotNull();
                assertThat(lines)
                        .contains("export ANTHROPIC_MODEL=stub-model", "export CLAUDE_CODE_ATTRIBUTION_HEADER=0")
                        .allMatch(l -> l.startsWith("export "));
                String url = lines.getFirst().substring("export ANTHROPIC_BASE_URL=".length());
                HttpResponse<String> models = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(url + "/v1/models"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(models.statusCode()).isEqualTo(200);
                assertThat(p.isAlive()).isTrue();
            } finally {
                p.destroy();
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(Files.readString(dir.resolve("err.txt"))).contains("serves until Ctrl-C");
        }
    }

    @Test
    void withAGatewayKeyClaudeCodeIsGivenThatKeyAndItsRequestsGetThrough(@TempDir Path dir) throws Exception {
        try (ScriptedOpenAiServer upstream = new ScriptedOpenAiServer()) {
            Process p = anyclaude(
                            dir,
                            List.of(
                                    "claude",
                                    "--print-env",
                                    "--port",
                                    "0",
                                    "--upstream",
                                    upstream.url(),
                                    "--api-key",
                                    "k-123"))
                    .redirectError(dir.resolve("err.txt").toFile())
                    .start();
            try {
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                List<String> lines = new ArrayList<>();
                String line;
                while ((line = out.readLine()) != null && !line.startsWith("export API_TIMEOUT_MS=")) {
                    lines.add(line);
                }
                assertThat(lines).contains("export ANTHROPIC_AUTH_TOKEN=k-123");
                String url = lines.getFirst().substring("export ANTHROPIC_BASE_URL=".length());
                HttpResponse<String> with = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(url + "/v1/models"))
                                        .header("Authorization", "Bearer k-123")
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> without = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(url + "/v1/models"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(with.statusCode()).isEqualTo(200);
                assertThat(without.statusCode()).isEqualTo(401);
            } finally {
                p.destroy();
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    private static boolean connects(int port) {
        try {
            new Socket("127.0.0.1", port).close();
            return true;
        } catch (java.io.IOException e) {
            return false; // refused: nobody listens any more
        }
    }
}
