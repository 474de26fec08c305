package dev.anyclaude;

import dev.anyclaude.backend.launch.LaunchException;
import dev.anyclaude.cli.AotTrainCommand;
import dev.anyclaude.cli.ClaudeCommand;
import dev.anyclaude.cli.ConfigDefaults;
import dev.anyclaude.cli.DemoCommand;
import dev.anyclaude.cli.GenModelCommand;
import dev.anyclaude.cli.ServeCommand;
import dev.anyclaude.engine.NpmNatives;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point: the anyclaude command and its subcommands, wired with constructor calls. The benchmark tooling
 * ({@code anyclaude bench}, in {@code src/bench/java}) is not part of it: its own entry point adds the
 * {@code bench} subcommand to this command through {@link #run(String[], Object...)}.
 */
@Command(
        name = "anyclaude",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Anthropic Messages API gateway for local models.",
        subcommands = {
            ServeCommand.class,
            ClaudeCommand.class,
            DemoCommand.class,
            GenModelCommand.class,
            AotTrainCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    /** {@code anyclaude --version}: the gateway's version and the llama.cpp release its embedded engine binds. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "anyclaude 0.1.0",
                "embedded engine: llama.cpp " + NpmNatives.RELEASE + " (commit " + NpmNatives.COMMIT
                        + "), libraries from npm" + " @node-llama-cpp/<platform>@" + NpmNatives.NPM_VERSION
                        + " or --llama-lib DIR"
            };
        }
    }

    public static void main(String[] args) {
        warmUpInBackground();
        // The embedded engine's native threads never let the JVM end by itself: always exit explicitly.
        System.exit(run(args));
    }

    /**
     * Starts, on the second core, the slow class initialization that the gateway's start-up would otherwise
     * wait for: Jetty's and Javalin's server classes. (The TLS context is not warmed: plain-http upstreams,
     * the common case, never need one, and building it touches ~15 MB of heap the idle process then keeps.)
     * It changes no state that anything depends on.
     */
    private static void warmUpInBackground() {
        Thread.ofPlatform().daemon().name("startup-warm-up").start(() -> {
            try {
                Class.forName("org.eclipse.jetty.server.Server");
                Class.forName("io.javalin.Javalin");
            } catch (ReflectiveOperationException e) {
                // only a head start: the real initialization happens where it is needed
            }
        });
    }

    /**
     * Runs the anyclaude command with {@code extraSubcommands} (picocli command objects) added to it, under the
     * same config defaults and error handling as the product's own subcommands.
     */
    public static int run(String[] args, Object... extraSubcommands) {
        CommandLine cli = new CommandLine(new Main());
        for (Object sub : extraSubcommands) {
            cli.addSubcommand(sub);
        }
        try {
            ConfigDefaults defaults = ConfigDefaults.load(args, System.getenv());
            cli.setDefaultValueProvider(defaults);
            defaults.check(cli.getSubcommands().values());
        } catch (IllegalArgumentException e) {
            System.err.println("anyclaude: " + e.getMessage());
            return 2;
        }
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof LaunchException) {
                cmd.getErr().println("anyclaude: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
