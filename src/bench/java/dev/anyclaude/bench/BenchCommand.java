package dev.anyclaude.bench;

import dev.anyclaude.cli.StubModelServer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code anyclaude bench}: the load harness, its stub model server, the JMH suite and a JFR summary. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks. See docs/benchmarks.md for the figures and how they were made.",
        subcommands = {
            OverheadCommand.class,
            L1Command.class,
            CaptureCommand.class,
            BenchCommand.Embedded.class,
            EngineCommand.class,
            AgentReplayCommand.class,
            BenchCommand.Stub.class,
            BenchCommand.Jmh.class,
            BenchCommand.JfrTop.class
        })
public final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** {@code anyclaude bench stub}: the near-zero-latency OpenAI-compatible stub, until interrupted. */
    @Command(
            name = "stub",
            mixinStandardHelpOptions = true,
            description = "Serve a near-zero-latency OpenAI-compatible model on 127.0.0.1 (a fixed short answer, "
                    + "SSE or JSON) for overhead measurements. Prints 'stub listening on URL' when ready.")
    static final class Stub implements Callable<Integer> {
        @Option(
                names = "--port",
                paramLabel = "N",
                defaultValue = "0",
                description = "Port on 127.0.0.1; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
        int port;

        @Option(
                names = "--delay-ms",
                paramLabel = "MS",
                defaultValue = "0",
                description = "Wait this long before each completion, to stand in for a "
                        + "slow model. Default: ${DEFAULT-VALUE}.")
        long delayMs;

        @Override
        public Integer call() throws IOException, InterruptedException {
            StubModelServer stub = StubModelServer.start(port, delayMs);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                stub.close();
                                stopped.countDown();
                            },
                            "stub-shutdown"));
            System.out.println(ChildJava.STUB_LISTENING + stub.url());
            System.out.flush();
            stopped.await();
            return 0;
        }
    }

    /**
     * {@code anyclaude bench jmh}: the JMH suite of {@code src/jmh/java}, through the Maven wrapper of the
     * source tree this jar was built from (the benchmarks are not part of the application jar).
     */
    @Command(
            name = "embedded",
            mixinStandardHelpOptions = true,
            description = "Prefix reuse on the embedded engine with a generated model: cold vs warm, two alternating "
                    + "prefixes, restore from RAM and disk vs recompute, output identity. Options: --prefix-tokens N "
                    + "(9000), --threads N, --repeat N (3), --model FILE | "
                    + "--embd/--layers/--heads/--ff, --fixture FILE, "
                    + "--work-dir DIR. Prints a Markdown report.")
    static final class Embedded implements Callable<Integer> {
        @Parameters(paramLabel = "OPTIONS", description = "Benchmark options (see above).")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            System.out.println(dev.anyclaude.backend.embedded.EmbeddedBenchmark.run(
                    dev.anyclaude.backend.embedded.EmbeddedBenchmark.parse(args.toArray(String[]::new)), System.err));
            return 0;
        }
    }

    @Command(
            name = "jmh",
            mixinStandardHelpOptions = true,
            description = "Run the JMH micro-benchmarks (src/jmh/java) through ./mvnw -Pjmh. Arguments after the "
                    + "options go to JMH, e.g. 'bench jmh -- -f 1 -wi 3 -i 5 RequestParsing'.")
    static final class Jmh implements Callable<Integer> {
        @Parameters(
                paramLabel = "JMH_ARGS",
                description = "Arguments for JMH (regexp of benchmarks, -f, -wi, -i, -prof ...).")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws IOException, InterruptedException {
            Path root = sourceRoot();
            List<String> cmd = new ArrayList<>(List.of(
                    root.resolve("mvnw").toString(),
                    "-q",
                    "-B",
                    "-Pjmh",
                    "-DskipTests",
                    "test",
                    "-Djmh.args=" + String.join(" ", args)));
            System.err.println("bench: " + String.join(" ", cmd));
            return new ProcessBuilder(cmd)
                    .directory(root.toFile())
                    .inheritIO()
                    .start()
                    .waitFor();
        }

        /** The source tree: the directory above {@code target/} holding this jar, else the working directory. */
        static Path sourceRoot() {
            try {
                Path here = Path.of(BenchCommand.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI());
                for (Path p = here; p != null; p = p.getParent()) {
                    if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("src/jmh/java"))) {
                        return p;
                    }
                }
            } catch (URISyntaxException | SecurityException | NullPointerException e) {
                // fall back to the working directory
            }
            Path cwd = Path.of("").toAbsolutePath();
            if (Files.isRegularFile(cwd.resolve("mvnw")) && Files.isDirectory(cwd.resolve("src/jmh/java"))) {
                return cwd;
            }
            throw new IllegalArgumentException(
                    "bench jmh needs the anyclaude source tree (mvnw and src/jmh/java); run it from there");
        }
    }

    /** {@code anyclaude bench jfr-top FILE}: where a recording's CPU samples fall. */
    @Command(
            name = "jfr-top",
            mixinStandardHelpOptions = true,
            description = "Summarise a JFR recording's CPU samples (jdk.ExecutionSample) by area, top frame and "
                    + "gateway stage.")
    static final class JfrTop implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "A .jfr recording.")
        Path file;

        @Option(
                names = "--top",
                paramLabel = "N",
                defaultValue = "20",
                description = "Entries per view. Default: ${DEFAULT-VALUE}.")
        int top;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("FILE: " + file + " does not exist (expected: a .jfr recording)");
            }
            System.out.println(JfrProfile.read(file).report(top));
            return 0;
        }
    }
}
