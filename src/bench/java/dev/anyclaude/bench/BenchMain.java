package dev.anyclaude.bench;

import dev.anyclaude.Main;

/**
 * Entry point of the benchmark tooling: the anyclaude command with {@code bench} added, so that
 * {@code anyclaude bench ...} parses, takes its config defaults and reports errors as the product's own
 * commands do. The launcher runs it, on the product jar plus the bench jar, for {@code ./anyclaude bench};
 * the product jar alone has no {@code bench} command.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) {
        // As Main does: the embedded engine's native threads never let the JVM end by itself.
        System.exit(Main.run(args, new BenchCommand()));
    }
}
