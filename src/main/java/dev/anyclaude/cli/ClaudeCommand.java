package dev.anyclaude.cli;

import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.launch.AppDirs;
import dev.anyclaude.backend.launch.LaunchedServer;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.observe.ApiKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code anyclaude claude}: starts the gateway (and with {@code --launch} the model server) on a free loopback
 * port, then runs Claude Code against it with every setting that keeps it fast, and stops everything when
 * Claude Code exits. Its exit code is Claude Code's.
 */
@Command(
        name = "claude",
        mixinStandardHelpOptions = true,
        description = {
            "Run Claude Code on a local model: start the gateway (and the model server with --launch), "
                    + "then `claude` with ANTHROPIC_BASE_URL and the model, context and cache settings pointing at it.",
            "Arguments after -- go to claude unchanged, e.g.: anyclaude "
                    + "claude --upstream http://127.0.0.1:8080 -- -p \"fix the tests\"",
            "Gateway options are those of `serve`; the port defaults to a free one unless --port is given."
        })
public final class ClaudeCommand implements Callable<Integer> {
    @Mixin
    ServeOptions options = new ServeOptions();

    @Option(
            names = "--print-env",
            description = "Do not run claude: print its environment as shell lines and keep the gateway running "
                    + "in the foreground until Ctrl-C (the port stays --port, default 8082).")
    boolean printEnv;

    @Option(
            names = "--claude-bin",
            paramLabel = "PATH",
            description = "The claude executable. Default: claude on PATH, then the project's test install.")
    String claudeBin;

    @Parameters(paramLabel = "CLAUDE_ARGS", description = "Arguments for claude (after --).")
    List<String> claudeArgs = new ArrayList<>();

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final Path buildDir;

    public ClaudeCommand() {
        this(System.getenv(), System.out, System.err, ClaudeBinary.buildDir());
    }

    /** With the environment, output streams and build directory (for the test install of claude) given. */
    ClaudeCommand(Map<String, String> env, PrintStream out, PrintStream err, Path buildDir) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.buildDir = buildDir;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path claude = null;
        if (!printEnv) {
            claude = ClaudeBinary.find(claudeBin, env, buildDir).orElse(null);
            if (claude == null) {
                err.println(ClaudeBinary.INSTALL_HINT);
                return 127;
            }
            ClaudeCodeVersions.of(claude)
                    .flatMap(ClaudeCodeVersions::warning)
                    .ifPresent(w -> err.println("anyclaude: warning: " + w));
        }
        if (!printEnv && !spec.commandLine().getParseResult().hasMatchedOption("--port")) {
            options.port = 0; // several sessions side by side, none clashing with a `serve` on the default port
        }
        Gateway gateway = Gateway.start(options.settings());
        AtomicBoolean closed = new AtomicBoolean();
        Runnable stopGateway = () -> {
            if (closed.compareAndSet(false, true)) {
                gateway.close();
            }
        };
        try {
            ClaudeEnvironment claudeEnv = environment(gateway);
            report(gateway, claudeEnv);
            if (printEnv) {
                return serveForeground(claudeEnv, stopGateway);
            }
            return runClaude(claude, claudeEnv, stopGateway);
        } finally {
            stopGateway.run();
        }
    }

    private ClaudeEnvironment environment(Gateway gateway) {
        long ctx = gateway.backend().contextTokens();
        String token = ApiKey.text(options.apiKey, options.apiKeyFile).orElse(ClaudeEnvironment.DUMMY_KEY);
        return ClaudeEnvironment.of(
                gateway.url(),
                token,
                gateway.mainModel(),
                gateway.smallModel(),
                ctx,
                Duration.ofSeconds(options.upstreamTimeoutSeconds));
    }

    private void report(Gateway gateway, ClaudeEnvironment claudeEnv) {
        Backend backend = gateway.backend();
        Backend.Readiness ready = backend.readiness();
        if (!ready.ready()) {
            err.println("anyclaude: warning: the backend is not reachable yet (" + ready.reason()
                    + "); requests fail with overloaded_error until it is");
        }
        String warning = ClaudeEnvironment.contextWarning(backend.contextTokens());
        if (warning != null) {
            err.println("anyclaude: warning: " + warning);
        }
        LaunchedServer launched = gateway.launched();
        err.println("anyclaude: gateway " + gateway.url() + " -> "
                + (launched != null ? launched.name() + " " + launched.baseUrl() : options.upstream) + ", model "
                + claudeEnv.variables().get("ANTHROPIC_MODEL")
                + (backend.contextTokens() > 0
                        ? ", context " + backend.contextTokens() + " tokens"
                        : ", context unknown"));
        err.println("anyclaude: dashboard " + gateway.url() + "/dashboard"
                + (options.apiKey != null || options.apiKeyFile != null ? "?key=YOUR_KEY" : ""));
        err.flush();
    }

    /** {@code --print-env}: the variables on stdout, then the gateway keeps serving until Ctrl-C. */
    private int serveForeground(ClaudeEnvironment claudeEnv, Runnable stopGateway) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            stopGateway.run();
                            stopped.countDown();
                        },
                        "anyclaude-shutdown"));
        out.print(claudeEnv.shell(env));
        out.flush();
        err.println("anyclaude: paste the lines above into the shell where you "
                + "run claude; this gateway serves until Ctrl-C.");
        err.flush();
        stopped.await();
        return 0;
    }

    private int runClaude(Path claude, ClaudeEnvironment claudeEnv, Runnable stopGateway)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(claude.toString());
        command.addAll(claudeArgs);
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().clear();
        pb.environment().putAll(claudeEnv.applyTo(env));
        Path log = AppDirs.from(env).state().resolve("gateway.log");
        err.println("anyclaude: gateway log: " + log + "; starting " + claude);
        err.flush();
        GatewayLog.toFile(log);
        Process process = pb.start();
        Thread hook = new Thread(
                () -> {
                    // Ctrl-C or a kill of anyclaude: claude goes first (it may still be writing), then the gateway and
                    // server.
                    if (process.isAlive()) {
                        process.destroy();
                        try {
                            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                                process.destroyForcibly();
                            }
                        } catch (InterruptedException e) {
                            process.destroyForcibly();
                        }
                    }
                    stopGateway.run();
                },
                "anyclaude-stop-claude");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = process.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook does the rest
        }
        return code;
    }
}
