package dev.anyclaude;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: the anyclaude command and its subcommands, wired with constructor calls. */
@Command(name = "anyclaude", mixinStandardHelpOptions = true, version = "anyclaude 0.1.0",
        description = "Anthropic Messages API gateway for local models.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        // The embedded engine's native threads never let the JVM end by itself.
        System.exit(code);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
