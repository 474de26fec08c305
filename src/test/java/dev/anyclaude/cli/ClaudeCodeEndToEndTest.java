package dev.anyclaude.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.testing.Chunks;
import dev.anyclaude.testing.ScriptedOpenAiServer;
import dev.anyclaude.testing.ScriptedOpenAiServer.Recorded;
import dev.anyclaude.testing.ScriptedOpenAiServer.Reply;
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
 * The real Claude Code CLI (the pinned version scripts/install-claude-code.sh installs) driven by
 * {@code anyclaude claude}: the model asks for a Bash tool call, Claude Code runs it, sends the result back, and
 * prints the model's final answer — from the real llama.cpp server on a hand-built model, and from a scripted
 * server for what a real one cannot be made to send on demand.
 */
class ClaudeCodeEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARKER = "anyclaude-e2e-marker";
    private static final String FINAL = "Done: the marker file is written.";

    static Path installedClaude() {
        return installedClaude(ClaudeCodeVersions.NEWEST);
    }

    /** The pinned test install of {@code version} (scripts/install-claude-code.sh). */
    static Path installedClaude(String version) {
        return PinnedClaudeCode.installed(version);
    }

    /**
     * The scripted model: a Bash call first, the final text once the tool result is in, short text for side requests.
     */
    static Reply answer(Recorded r) {
        try {
            JsonNode body = JSON.readTree(r.body());
            boolean stream = body.path("stream").asBoolean(false);
            JsonNode tools = body.path("tools");
            boolean hasToolResult = false;
            for (JsonNode m : body.path("messages")) {
                hasToolResult |= "tool".equals(m.path("role").asText());
            }
            String text;
            if (!tools.isArray() || tools.isEmpty()) {
                text = "Marker file";
            } else if (hasToolResult) {
                text = FINAL;
            } else {
                String args =
                        "{\"command\":\"echo " + MARKER + " > marker.txt\",\"description\":\"Write the marker file\"}";
                return stream ? Reply.stream(Chunks.toolCall("Bash", args)) : Reply.json(500, "{}");
            }
            return stream ? Reply.stream(Chunks.text(text)) : Reply.json(200, Chunks.completion(text, 10, 3, 0));
        } catch (Exception e) {
            return Reply.json(400, "{\"error\":{\"message\":\"unreadable request: " + e.getMessage() + "\"}}");
        }
    }

    /** A finished {@code anyclaude claude} run. */
    record Run(Process process, String stdout, String stderr) {}

    /** Runs {@code anyclaude claude ARGS -- CLAUDE_ARGS} in {@code work} with a clean environment; at most 240 s. */
    static Run run(Path dir, Path work, List<String> anyclaudeArgs, List<String> claudeArgs) throws Exception {
        return run(dir, work, installedClaude(), anyclaudeArgs, claudeArgs);
    }

    /** The same with the given Claude Code executable. */
    static Run run(Path dir, Path work, Path claude, List<String> anyclaudeArgs, List<String> claudeArgs)
            throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                cp,
                "dev.anyclaude.Main",
                "claude",
                "--claude-bin",
                claude.toString()));
        cmd.addAll(anyclaudeArgs);
        cmd.add("--");
        cmd.addAll(claudeArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(work.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.clear(); // no user config, keys or ANYCLAUDE_* settings leak in
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("CLAUDE_CONFIG_DIR", home.resolve(".claude").toString());
        env.put("XDG_STATE_HOME", dir.resolve("state").toString());
        env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        env.put("SHELL", "/bin/bash");
        env.put("LANG", "C.UTF-8");
        env.put("TMPDIR", Files.createDirectories(dir.resolve("tmp")).toString());
        Process p = pb.start();
        boolean exited = p.waitFor(240, TimeUnit.SECONDS);
        String stdout = Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8);
        String stderr = Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8);
        if (!exited) {
            p.destroyForcibly();
            fail("anyclaude claude did not finish within 240 s\nstdout: " + stdout + "\nstderr: " + stderr);
        }
        return new Run(p, stdout, stderr);
    }

    @ParameterizedTest(name = "Claude Code {0}")
    @ValueSource(strings = {ClaudeCodeVersions.OLDEST, ClaudeCodeVersions.NEWEST})
    void claudeCodeCompletesATurnOnTheEmbeddedEngineWithAGeneratedModel(String version, @TempDir Path dir)
            throws Exception {
        Path claude = installedClaude(version);
        Path work = Files.createDirectories(dir.resolve("work"));
        Path model = dev.anyclaude.engine.TestModels.tiny();
        // The generated model spends one token per character, so Claude Code's own ~77 KB prompt would take
        // minutes on 2 cores: a short system prompt and no tools keep the same protocol path to seconds.
        Run run = run(
                dir,
                work,
                claude,
                List.of("--backend", "embedded", "--model", model.toString(), "--ctx", "8192", "--slots", "1"),
                List.of("-p", "say hi", "--tools", "", "--system-prompt", "You are terse.", "--output-format", "json"));

        String context = "\nstdout: " + run.stdout() + "\nstderr: " + run.stderr();
        assertThat(run.process().exitValue()).as("exit code" + context).isZero();
        JsonNode result = JSON.readTree(run.stdout());
        assertThat(result.path("is_error").asBoolean(true)).as(context).isFalse();
        assertThat(result.path("subtype").asText()).isEqualTo("success");
        assertThat(result.path("usage").path("output_tokens").asLong())
                .as(context)
                .isPositive();
        assertThat(result.path("modelUsage")
                        .path(model.toString())
                        .path("contextWindow")
                        .asLong())
                .isEqualTo(8192);
    }

    /**
     * The whole path with nothing scripted, on both engines: {@code anyclaude claude --launch llama-server} starts the
     * pinned llama.cpp server on a hand-built model that calls Bash (rendered through the release's Qwen3-Coder
     * template), or {@code anyclaude claude --model FILE.gguf} alone runs it on the embedded engine, which renders
     * Claude Code's request through the model's own template and reads the call in that template's XML format. The
     * call is parsed, Claude Code runs it and sends the result, and the model's answer is Claude Code's result.
     */
    @ParameterizedTest(name = "Claude Code {0} on {1}")
    @org.junit.jupiter.params.provider.CsvSource({
        ClaudeCodeVersions.OLDEST + ", llama-server",
        ClaudeCodeVersions.NEWEST + ", llama-server",
        ClaudeCodeVersions.OLDEST + ", embedded",
        ClaudeCodeVersions.NEWEST + ", embedded"
    })
    void claudeCodeRunsTheBashCallTheModelReturns(String version, String engine, @TempDir Path dir) throws Exception {
        Path claude = installedClaude(version);
        Path work = Files.createDirectories(dir.resolve("work"));
        Path model = dir.resolve("tool-call.gguf");
        dev.anyclaude.testing.LlamaServerProcess.binary(); // its build keeps the release's templates
        dev.anyclaude.engine.ToolCallModel.write(
                model, "echo " + MARKER + " > marker.txt", FINAL, ChatTemplates.read("Qwen3-Coder"));
        boolean server = engine.equals("llama-server");
        List<String> gateway = server
                ? List.of(
                        "--launch",
                        "llama-server",
                        "--server-bin",
                        dev.anyclaude.testing.LlamaServerProcess.binary().toString(),
                        "--model",
                        model.toString(),
                        "--ctx",
                        "32768",
                        "--slots",
                        "1",
                        "--server-log",
                        dir.resolve("llama-server.log").toString())
                : List.of("--model", model.toString(), "--ctx", "32768", "--slots", "1");
        // Claude Code's own system prompt and its Bash tool only: the model spends a token per character.
        Run run = run(
                dir,
                work,
                claude,
                gateway,
                List.of(
                        "-p",
                        "Write the marker file, then tell me you are done.",
                        "--tools",
                        "Bash",
                        "--allowedTools",
                        "Bash",
                        "--output-format",
                        "json"));
        String context = "\nstdout: " + run.stdout() + "\nstderr: " + run.stderr();
        assertThat(run.process().exitValue()).as("exit code" + context).isZero();
        assertThat(work.resolve("marker.txt")).as("the Bash tool ran" + context).exists();
        assertThat(Files.readString(work.resolve("marker.txt")).strip()).isEqualTo(MARKER);
        JsonNode result = JSON.readTree(run.stdout());
        assertThat(result.path("is_error").asBoolean(true)).as(context).isFalse();
        assertThat(result.path("result").asText()).as(context).isEqualTo(FINAL);
        assertThat(result.path("num_turns").asInt()).as(context).isGreaterThanOrEqualTo(2);
        if (server) {
            assertThat(Files.readString(dir.resolve("llama-server.log"))).contains("tool-call.gguf");
        }
    }

    @ParameterizedTest(name = "Claude Code {0}")
    @ValueSource(strings = {ClaudeCodeVersions.OLDEST, ClaudeCodeVersions.NEWEST})
    void claudeCodeRunsTheModelsBashCallAndPrintsItsFinalAnswer(String version, @TempDir Path dir) throws Exception {
        Path claude = installedClaude(version);
        Path work = Files.createDirectories(dir.resolve("work"));
        try (ScriptedOpenAiServer upstream = new ScriptedOpenAiServer()) {
            upstream.route("POST /v1/chat/completions", ClaudeCodeEndToEndTest::answer);

            Run run = run(
                    dir,
                    work,
                    claude,
                    List.of("--backend", "openai", "--upstream", upstream.url(), "--ctx", "131072"),
                    List.of(
                            "-p",
                            "Write the marker file, then tell me you are done.",
                            "--allowedTools",
                            "Bash",
                            "--output-format",
                            "json"));
            String stdout = run.stdout();
            String stderr = run.stderr();
            Process p = run.process();
            String context = "\nstdout: " + stdout + "\nstderr: " + stderr + "\nrequests: "
                    + upstream.chatRequests().size();
            assertThat(p.exitValue()).as("exit code" + context).isZero();
            assertThat(work.resolve("marker.txt"))
                    .as("the Bash tool ran" + context)
                    .exists();
            assertThat(Files.readString(work.resolve("marker.txt")).strip()).isEqualTo(MARKER);

            JsonNode result = JSON.readTree(stdout);
            assertThat(result.path("is_error").asBoolean(true)).as(context).isFalse();
            assertThat(result.path("result").asText()).isEqualTo(FINAL);
            assertThat(result.path("modelUsage")
                            .path("stub-model")
                            .path("contextWindow")
                            .asLong())
                    .as("Claude Code took the backend's context size from anyclaude" + context)
                    .isEqualTo(131_072);

            List<Recorded> chats = upstream.chatRequests();
            assertThat(chats)
                    .as("a tool loop of one call makes two model requests")
                    .hasSizeGreaterThanOrEqualTo(2);
            Recorded withResult = chats.stream()
                    .filter(r -> r.body().contains("\"role\":\"tool\""))
                    .findFirst()
                    .orElseThrow();
            assertThat(withResult.body()).doesNotContain("x-anthropic-billing-header");
            assertThat(stderr).contains("anyclaude: gateway http://127.0.0.1:");
        }
    }
    /**
     * Auto mode's safety check answered by the gateway, end to end with Claude Code {@value ClaudeCodeVersions#NEWEST}
     * (the first release pinned here that sends {@code safeguards}): the real llama.cpp server runs a hand-built
     * model that calls Bash and, asked by the gateway to judge the call, answers with a fixed verdict. The verdict
     * alone decides: allowed, Claude Code runs the call; flagged, it does not. Either way Claude Code takes the
     * gateway's answer — it does not fall back to its own classifier requests or latch the server check off.
     */
    @ParameterizedTest(name = "judge {0} on {1}")
    @org.junit.jupiter.params.provider.CsvSource({
        "allows, llama-server",
        "flags, llama-server",
        "allows, embedded",
        "flags, embedded"
    })
    void inAutoModeTheGatewaysVerdictDecidesWhetherClaudeCodeRunsTheCall(String judge, String engine, @TempDir Path dir)
            throws Exception {
        Path claude = installedClaude(ClaudeCodeVersions.NEWEST);
        Path work = Files.createDirectories(dir.resolve("work"));
        boolean allows = judge.equals("allows");
        Path model = dev.anyclaude.llamacpp.SafeguardVerdictsTest.judgingModel(
                dir,
                "echo " + MARKER + " > marker.txt",
                FINAL,
                allows
                        ? dev.anyclaude.llamacpp.SafeguardVerdictsTest.ALLOW
                        : dev.anyclaude.llamacpp.SafeguardVerdictsTest.FLAG);
        // The embedded engine judges with the same model in-process: the verdict's schema becomes its grammar, the
        // model's Qwen3-Coder-style call is read by the engine's parser.
        List<String> gateway = engine.equals("embedded")
                ? List.of("--model", model.toString(), "--ctx", "32768", "--slots", "2")
                : List.of(
                        "--launch",
                        "llama-server",
                        "--server-bin",
                        dev.anyclaude.testing.LlamaServerProcess.binary().toString(),
                        "--model",
                        model.toString(),
                        "--ctx",
                        "32768",
                        "--slots",
                        "2",
                        "--server-log",
                        dir.resolve("llama-server.log").toString());
        Run run = run(
                dir,
                work,
                claude,
                gateway,
                List.of(
                        "-p",
                        "Write the marker file, then tell me you are done.",
                        "--tools",
                        "Bash",
                        "--permission-mode",
                        "auto",
                        "--output-format",
                        "json",
                        "--debug"));
        String context = "\nstdout: " + run.stdout() + "\nstderr: " + run.stderr();
        assertThat(run.process().exitValue()).as("exit code" + context).isZero();
        if (allows) {
            assertThat(work.resolve("marker.txt"))
                    .as("the allowed Bash call ran" + context)
                    .exists();
            assertThat(Files.readString(work.resolve("marker.txt")).strip()).isEqualTo(MARKER);
        } else {
            assertThat(work.resolve("marker.txt"))
                    .as("the flagged Bash call did not run" + context)
                    .doesNotExist();
        }
        assertThat(run.stderr()).as(context).doesNotContain("isn't compatible");
        // Claude Code's debug log: two model requests (the call, then the answer after its result or its denial)
        // and no request of its own classifier; no "[server-classifier]" line, which is how it reports a
        // missing or refused verdict before classifying locally for the rest of the session
        String debug;
        try (var logs = Files.list(dir.resolve("home/.claude/debug"))) {
            Path log =
                    logs.filter(f -> f.toString().endsWith(".txt")).findFirst().orElseThrow();
            debug = Files.readString(log);
        }
        assertThat(debug.lines()
                        .filter(l -> l.contains("[API REQUEST] /v1/messages"))
                        .count())
                .as("model requests" + context)
                .isEqualTo(2);
        assertThat(debug).doesNotContain("[server-classifier]");
        if (!allows) {
            assertThat(debug).contains("Auto mode classifier blocked action");
        }
    }
}
