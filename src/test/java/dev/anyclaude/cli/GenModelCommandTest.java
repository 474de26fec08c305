package dev.anyclaude.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.engine.GgufWriter;
import dev.anyclaude.engine.TinyLlamaSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GenModelCommandTest {

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        CommandLine cmd = new CommandLine(new GenModelCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        return cmd.execute(args);
    }

    @Test
    void writesTheModelItsOptionsDescribe() throws Exception {
        Path file = dir.resolve("m.gguf");
        assertThat(run("--out", file.toString(), "--embd", "64", "--layers", "2", "--heads", "2", "--kv-heads", "1",
                "--ff", "128", "--ctx", "512", "--seed", "9")).isZero();
        Path expected = dir.resolve("expected.gguf");
        GgufWriter.writeTinyLlama(new TinyLlamaSpec(64, 2, 2, 1, 128, 512, 9), expected);
        assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(expected));
        assertThat(out.toString()).contains("wrote " + file, "64 x 2 layers");
    }

    @Test
    void defaultsToTheSmallTestModel() throws Exception {
        Path file = dir.resolve("d.gguf");
        assertThat(run("--out", file.toString())).isZero();
        Path expected = dir.resolve("expected.gguf");
        GgufWriter.writeTinyLlama(TinyLlamaSpec.small(1), expected);
        assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(expected));
    }

    @Test
    void refusesAShapeLlamaCppCannotLoad() {
        Path file = dir.resolve("bad.gguf");
        assertThat(run("--out", file.toString(), "--embd", "100")).isEqualTo(2);
        assertThat(err.toString()).contains("--embd: 100 (expected: a positive multiple of 32)");
        assertThat(file).doesNotExist();
    }

    @Test
    void aVerdictBelongsToAToolCallingModel() {
        Path file = dir.resolve("v.gguf");
        assertThat(run("--out", file.toString(), "--verdict", "{\"outcome\": \"flagged\"}")).isEqualTo(2);
        assertThat(err.toString()).contains("--verdict: only with --tool-call");
        assertThat(file).doesNotExist();
    }
}
