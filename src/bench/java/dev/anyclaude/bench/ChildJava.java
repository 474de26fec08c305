package dev.anyclaude.bench;

import dev.anyclaude.Main;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Java processes of a benchmark — the stub model server and the gateway — started from this very
 * installation (same {@code java}; the stub on this classpath, the gateway on the product's part of it), each in
 * its own JVM so that its CPU time and memory are its own.
 */
final class ChildJava {
    static final String LISTENING = "anyclaude listening on ";
    static final String STUB_LISTENING = "stub listening on ";

    private ChildJava() {}

    /** The stub model server ({@code anyclaude bench stub}) on a free loopback port. */
    static ServerProcess stub(Path work, long delayMillis) throws IOException {
        List<String> cmd = java(List.of("-XX:+UseSerialGC", "-Xss256k"), classPath(), BenchMain.class.getName());
        cmd.addAll(List.of("bench", "stub", "--port", "0", "--delay-ms", Long.toString(delayMillis)));
        return ServerProcess.startAndAwaitLine(
                "stub",
                cmd,
                OverheadCommand.isolatedEnv(work),
                work,
                work.resolve("stub.log"),
                line -> portAfter(line, STUB_LISTENING),
                Duration.ofSeconds(60));
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
        cmd.addAll(
                List.of("serve", "--backend", "openai", "--upstream", upstream, "--host", "127.0.0.1", "--port", "0"));
        return ServerProcess.startAndAwaitLine(
                name,
                cmd,
                OverheadCommand.isolatedEnv(work),
                work,
                work.resolve(name + ".log"),
                line -> portAfter(line, LISTENING),
                Duration.ofSeconds(60));
    }

    /**
     * {@code java [opts] -cp <the product's classpath> dev.anyclaude.Main}, with absolute classpath entries: the
     * gateway as {@code ./anyclaude} starts it. Run from the jars, that is the product jar alone (its manifest
     * names the libraries), without the bench jar beside it: the process measured is the product, on the
     * classpath its AOT cache was recorded on.
     */
    static List<String> java(List<String> jvmOpts) {
        return java(jvmOpts, productClassPath(), Main.class.getName());
    }

    private static List<String> java(List<String> jvmOpts, List<String> classPath, String mainClass) {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOpts);
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), mainClass));
        return cmd;
    }

    /** This JVM's classpath (under surefire, the test classpath), with absolute entries. */
    private static List<String> classPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> abs = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                abs.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        return abs;
    }

    /** The jar {@code dev.anyclaude.Main} was loaded from, when it was loaded from one; else this JVM's classpath. */
    private static List<String> productClassPath() {
        try {
            Path product = Path.of(Main.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (Files.isRegularFile(product)) {
                return List.of(product.toAbsolutePath().toString());
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // no code source to go by: the whole classpath
        }
        return classPath();
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
