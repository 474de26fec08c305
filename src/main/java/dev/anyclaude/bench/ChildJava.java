package dev.anyclaude.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Java processes of a benchmark — the stub model server and the gateway — started from this very
 * installation (same {@code java}, same classpath), each in its own JVM so that its CPU time and memory
 * are its own.
 */
final class ChildJava {
    static final String LISTENING = "anyclaude listening on ";
    static final String STUB_LISTENING = "stub listening on ";

    private ChildJava() {}

    /** The stub model server ({@code anyclaude bench stub}) on a free loopback port. */
    static ServerProcess stub(Path work, long delayMillis) throws IOException {
        List<String> cmd = java(List.of("-XX:+UseSerialGC", "-Xss256k"));
        cmd.addAll(List.of("bench", "stub", "--port", "0", "--delay-ms", Long.toString(delayMillis)));
        return ServerProcess.startAndAwaitLine("stub", cmd, OverheadCommand.isolatedEnv(work), work,
                work.resolve("stub.log"), line -> portAfter(line, STUB_LISTENING), Duration.ofSeconds(60));
    }

    /**
     * The gateway ({@code anyclaude serve}) in front of {@code upstream}, on a free loopback port; ready when it
     * prints its "anyclaude listening on" line.
     */
    static ServerProcess gateway(Path work, String upstream, String jvmOpts, String name) throws IOException {
        List<String> opts = new ArrayList<>();
        for (String o : jvmOpts.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                opts.add(o);
            }
        }
        // Start the gateway the way ./anyclaude does: with the build's AOT cache when there is one.
        Path aot = Path.of("target", "anyclaude.aot").toAbsolutePath();
        if (Files.isRegularFile(aot) && opts.stream().noneMatch(o -> o.startsWith("-XX:AOT"))) {
            opts.addAll(List.of("-XX:AOTCache=" + aot, "-Xlog:aot=off", "-Xlog:cds=off"));
        }
        List<String> cmd = java(opts);
        cmd.addAll(List.of("serve", "--backend", "openai", "--upstream", upstream, "--host", "127.0.0.1",
                "--port", "0"));
        return ServerProcess.startAndAwaitLine(name, cmd, OverheadCommand.isolatedEnv(work), work,
                work.resolve(name + ".log"), line -> portAfter(line, LISTENING), Duration.ofSeconds(60));
    }

    /** {@code java [opts] -cp <this classpath> dev.anyclaude.Main}, with absolute classpath entries. */
    static List<String> java(List<String> jvmOpts) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> abs = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                abs.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOpts);
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, abs), "dev.anyclaude.Main"));
        return cmd;
    }

    /** The port of a {@code <prefix>http://host:port} line, or null for any other line. */
    static Integer portAfter(String line, String prefix) {
        if (!line.startsWith(prefix)) {
            return null;
        }
        String url = line.substring(prefix.length()).trim();
        int colon = url.lastIndexOf(':');
        try {
            return Integer.parseInt(url.substring(colon + 1).replaceAll("/.*$", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
