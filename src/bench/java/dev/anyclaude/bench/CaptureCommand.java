package dev.anyclaude.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.messages.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code anyclaude bench capture}: runs a given Claude Code version against {@link RecordingApi} in a small git
 * repository and writes what it sent as fixtures — one {@code NN-METHOD-path.request.json} (method, URL,
 * headers, the reply it got) and {@code .body.json} per request, and Claude Code's own {@code --output-format
 * json} result — normalized so that a refresh for a new release diffs cleanly: the working directory reads
 * {@code /home/dev/calc-project}, HOME {@code /home/dev}, session and device ids are numbered, today's date is
 * {@code 2026-01-01}, the port is 8082.
 */
@Command(
        name = "capture",
        mixinStandardHelpOptions = true,
        description = {
            "Run Claude Code against a recording stand-in of the Anthropic API and write its requests as"
                    + " normalized fixtures: headless, a tool loop, a sub-agent, auto mode, --continue."
        })
public final class CaptureCommand implements Callable<Integer> {
    static final List<String> SCENARIOS =
            List.of("say-hi", "tool-loop", "sub-agent", "auto-mode", "continue", "tool-search", "tool-search-off");

    @Option(
            names = "--claude-bin",
            paramLabel = "PATH",
            description = "The Claude Code executable. Default: the pinned test install of --claude-version.")
    Path claudeBin;

    @Option(
            names = "--claude-version",
            paramLabel = "VERSION",
            defaultValue = "2.1.332",
            description = "Which version to capture (installed with npm into target/claude-code/VERSION when missing)."
                    + " Default: ${DEFAULT-VALUE}.")
    String version;

    @Option(
            names = "--scenarios",
            split = ",",
            paramLabel = "NAME",
            description = "Which: say-hi, tool-loop, sub-agent, auto-mode, continue. Default: all.")
    List<String> scenarios;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "Where the fixtures go (a folder per scenario). Default: src/test/resources/claude-code/VERSION.")
    Path out;

    @Option(
            names = "--timeout",
            defaultValue = "240",
            description = "Longest one Claude Code run may take, seconds. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Spec
    CommandSpec spec;

    private ObjectMapper json;

    @Override
    public Integer call() throws Exception {
        json = Json.create().copy().enable(SerializationFeature.INDENT_OUTPUT);
        List<String> chosen = scenarios == null ? SCENARIOS : scenarios;
        for (String s : chosen) {
            if (!SCENARIOS.contains(s)) {
                throw new ParameterException(
                        spec.commandLine(), "--scenarios: " + s + " (expected: " + SCENARIOS + ")");
            }
        }
        Path home = Path.of(System.getProperty("anyclaude.home", "."));
        Path claude = claudeBin != null ? claudeBin : install(home, version);
        Path dest = out != null
                ? out
                : home.resolve("src/test/resources/claude-code").resolve(version);
        for (String scenario : chosen) {
            Path dir = Files.createDirectories(dest.resolve(scenario));
            try (var old = Files.list(dir)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
            System.err.println("capture: " + scenario + " with Claude Code " + version + " into " + dir);
            capture(scenario, claude, dir);
        }
        return 0;
    }

    /** {@code target/claude-code/VERSION/node_modules/.bin/claude}, installed with npm when missing. */
    static Path install(Path project, String version) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        "bash",
                        project.resolve("scripts/install-claude-code.sh").toString(),
                        version)
                .inheritIO()
                .start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("scripts/install-claude-code.sh " + version + " failed");
        }
        return project.resolve("target/claude-code").resolve(version).resolve("node_modules/.bin/claude");
    }

    private void capture(String scenario, Path claude, Path dir) throws Exception {
        Path tmp = Files.createTempDirectory("anyclaude-capture-");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path work = Files.createDirectories(tmp.resolve("calc-project"));
        repository(work);
        Map<String, List<RecordingApi.Call>> scripts = new LinkedHashMap<>();
        List<List<String>> runs = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        switch (scenario) {
            case "say-hi" -> runs.add(List.of("-p", "say hi", "--output-format", "json"));
            case "tool-loop" -> {
                scripts.put(
                        "",
                        List.of(
                                new RecordingApi.Call(
                                        "Calling Bash.",
                                        "Bash",
                                        input(
                                                "command",
                                                "echo hello-from-tool && git status --short",
                                                "description",
                                                "Print a greeting and git status")),
                                new RecordingApi.Call(
                                        null,
                                        "Read",
                                        input(
                                                "file_path",
                                                work.resolve("README.md").toString()))));
                runs.add(List.of(
                        "-p",
                        "Show me the git status of this repo, then read README.md",
                        "--allowedTools",
                        "Bash",
                        "Read",
                        "--output-format",
                        "json"));
            }
            case "sub-agent" -> {
                String task = "Find where division is implemented in this repository and report the file and line.";
                scripts.put(
                        task,
                        List.of(new RecordingApi.Call(
                                "Searching.",
                                "Bash",
                                input("command", "grep -rn divide --include=*.py .", "description", "Find divide"))));
                scripts.put(
                        "",
                        List.of(new RecordingApi.Call(
                                "Starting an Explore agent.",
                                "Agent",
                                input(
                                        "description",
                                        "Find division code",
                                        "subagent_type",
                                        "Explore",
                                        "prompt",
                                        task))));
                runs.add(List.of(
                        "-p",
                        "Use an Explore agent to find where division is implemented.",
                        "--allowedTools",
                        "Agent",
                        "Bash",
                        "--output-format",
                        "json"));
            }
            case "auto-mode" -> {
                scripts.put(
                        "",
                        List.of(new RecordingApi.Call(
                                "Running the tests.",
                                "Bash",
                                input("command", "python3 -m pytest -q || true", "description", "Run the tests"))));
                runs.add(List.of("-p", "Run the tests.", "--permission-mode", "auto", "--output-format", "json"));
            }
            case "tool-search", "tool-search-off" -> {
                // a deferred tool loaded by ToolSearch joins tools[] from the next request on; with
                // ENABLE_TOOL_SEARCH=false every tool is in tools[] from the first request
                List<RecordingApi.Call> calls = new ArrayList<>();
                if (scenario.equals("tool-search")) {
                    calls.add(new RecordingApi.Call(
                            "Loading the cron tools.", "ToolSearch", input("query", "select:CronList")));
                } else {
                    env.put("ENABLE_TOOL_SEARCH", "false");
                }
                calls.add(new RecordingApi.Call("Listing the scheduled jobs.", "CronList", input()));
                calls.add(new RecordingApi.Call(
                        null, "Bash", input("command", "echo checked", "description", "Confirm")));
                scripts.put("", calls);
                runs.add(List.of(
                        "-p",
                        "List the scheduled cron jobs, then confirm with echo.",
                        "--allowedTools",
                        "ToolSearch",
                        "CronList",
                        "Bash",
                        "--output-format",
                        "json"));
            }
            case "continue" -> {
                runs.add(List.of("-p", "say hi", "--output-format", "json"));
                runs.add(List.of("-c", "-p", "and now say bye", "--output-format", "json"));
            }
            default -> throw new IllegalStateException(scenario);
        }
        Normalizer n = new Normalizer(work, home, tmp);
        try (RecordingApi api = new RecordingApi(json, scripts)) {
            int i = 0;
            for (List<String> args : runs) {
                String output = run(claude, args, env, api, home, work);
                Files.writeString(
                        dir.resolve(runs.size() == 1 ? "claude-output.json" : "claude-output-" + (++i) + ".json"),
                        n.apply(output));
            }
            write(dir, api.recorded(), n);
        }
    }

    private String run(
            Path claude, List<String> args, Map<String, String> extraEnv, RecordingApi api, Path home, Path work)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(claude.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.clear(); // nothing of the user's configuration or keys
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("CLAUDE_CONFIG_DIR", home.resolve(".claude").toString());
        env.put("SHELL", "/bin/bash");
        env.put("LANG", "C.UTF-8");
        env.put("ANTHROPIC_BASE_URL", api.url());
        env.put("ANTHROPIC_API_KEY", "sk-test");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.putAll(extraEnv);
        Path stdout = Files.createTempFile("capture-", ".out");
        Path stderr = Files.createTempFile("capture-", ".err");
        pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(
                    "claude " + args + " did not finish within " + timeoutSeconds + " s: " + Files.readString(stderr));
        }
        String out = Files.readString(stdout);
        if (p.exitValue() != 0) {
            System.err.println("capture: claude exited with " + p.exitValue() + ": "
                    + Files.readString(stderr).strip());
        }
        return out;
    }

    private void write(Path dir, List<RecordingApi.Recorded> recorded, Normalizer n) throws IOException {
        for (RecordingApi.Recorded r : recorded) {
            String path = r.url().replaceFirst("\\?.*$", "").replace('/', '_').replaceFirst("^_", "");
            String base = String.format(Locale.ROOT, "%02d-%s-%s", r.seq(), r.method(), path.isEmpty() ? "root" : path);
            String bodyFile = null;
            // the length of the normalized body as Claude Code would have sent it (compact), not of the raw one,
            // whose temporary paths differ from capture to capture
            int bodyBytes = 0;
            if (r.body().length > 0) {
                bodyFile = base + ".body.json";
                String normalized = n.apply(new String(r.body(), StandardCharsets.UTF_8));
                bodyBytes = normalized.getBytes(StandardCharsets.UTF_8).length;
                Files.writeString(dir.resolve(bodyFile), json.writeValueAsString(json.readTree(normalized)) + "\n");
            }
            String length = Integer.toString(bodyBytes);
            ObjectNode req = json.createObjectNode();
            req.put("seq", r.seq()).put("method", r.method()).put("url", r.url());
            ObjectNode headers = req.putObject("headers");
            // sorted: the recording server's header map has no stable order
            new java.util.TreeMap<>(r.headers())
                    .forEach((k, v) -> headers.put(
                            k, k.equals("host") ? "127.0.0.1:8082" : k.equals("content-length") ? length : n.apply(v)));
            req.put("body_bytes", bodyBytes).put("body_file", bodyFile);
            ObjectNode reply = req.putObject("capture_server_reply").put("status", r.replyStatus());
            if (r.reply() != null) {
                reply.put("stream", json.readTree(r.body()).path("stream").asBoolean(false));
                reply.set("message", json.readTree(n.apply(json.writeValueAsString(r.reply()))));
            }
            Files.writeString(dir.resolve(base + ".request.json"), json.writeValueAsString(req) + "\n");
        }
    }

    private ObjectNode input(String... kv) {
        ObjectNode o = json.createObjectNode();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            o.put(kv[i], kv[i + 1]);
        }
        return o;
    }

    /** The repository Claude Code works in: a tiny calculator with a failing test, committed once. */
    private static void repository(Path work) throws IOException, InterruptedException {
        Files.writeString(work.resolve("README.md"), "# demo\n\nA tiny repo for capturing Claude Code traffic.\n");
        Files.writeString(
                work.resolve("calc.py"),
                "\"\"\"A tiny calculator.\"\"\"\n\n\ndef add(a, b):\n    return a + b\n\n\n"
                        + "def divide(a, b):\n    return a / b\n");
        Files.createDirectories(work.resolve("tests"));
        Files.writeString(
                work.resolve("tests/test_calc.py"),
                "import pytest\nfrom calc import add, divide\n\n\n"
                        + "def test_add():\n    assert add(2, 3) == 5\n\n\ndef "
                        + "test_divide_by_zero():\n    with pytest.raises(ValueError):\n"
                        + "        divide(1, 0)\n");
        for (List<String> git : List.of(
                List.of("git", "-c", "init.defaultBranch=master", "init", "-q"),
                List.of("git", "add", "."),
                List.of(
                        "git",
                        "-c",
                        "user.name=dev",
                        "-c",
                        "user.email=dev@example.com",
                        "commit",
                        "-qm",
                        "Initial commit"))) {
            ProcessBuilder pb = new ProcessBuilder(git).directory(work.toFile()).redirectErrorStream(true);
            // a fixed date, so the commit hash Claude Code shows in its git context is the same every capture
            pb.environment().put("GIT_AUTHOR_DATE", "2026-01-01T12:00:00Z");
            pb.environment().put("GIT_COMMITTER_DATE", "2026-01-01T12:00:00Z");
            Process p = pb.start();
            p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Rewrites what differs from run to run: paths, ids, today's date. */
    static final class Normalizer {
        private static final Pattern CLAUDE_TMP = Pattern.compile("/tmp/claude-\\d+/");
        /** Claude Code's sub-agent ids: {@code a} and 16 hex digits. */
        private static final Pattern AGENT_ID = Pattern.compile("\\ba[0-9a-f]{16}\\b");

        private static final Pattern UUID =
                Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        private static final Pattern DEVICE = Pattern.compile("(device_id\\\\?\"\\s*:\\s*\\\\?\")([0-9a-f]{64})");
        private final Path work;
        private final Path home;
        private final Path tmp;
        private final Map<String, String> ids = new LinkedHashMap<>();

        Normalizer(Path work, Path home, Path tmp) {
            this.work = work;
            this.home = home;
            this.tmp = tmp;
        }

        String apply(String s) {
            String t = s.replace(work.toString(), "/home/dev/calc-project")
                    .replace(home.toString(), "/home/dev")
                    .replace(tmp.toString(), "/tmp/capture")
                    // Claude Code names per-project folders (memory, task output) after the path with '/' as '-'
                    .replace(work.toString().replace('/', '-'), "-home-dev-calc-project");
            t = CLAUDE_TMP.matcher(t).replaceAll("/tmp/claude-1000/");
            t = t.replace(LocalDate.now().toString(), "2026-01-01");
            t = DEVICE.matcher(t).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "0".repeat(64)));
            t = number(AGENT_ID, t, "a%016d");
            return number(UUID, t, "00000000-0000-4000-8000-%012d");
        }

        /** Replaces each distinct match of {@code p} by {@code format} of its number in order of first sight. */
        private String number(Pattern p, String t, String format) {
            Matcher m = p.matcher(t);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String fixed = ids.computeIfAbsent(m.group(), k -> String.format(Locale.ROOT, format, ids.size() + 1));
                m.appendReplacement(sb, fixed);
            }
            m.appendTail(sb);
            return sb.toString();
        }
    }
}
