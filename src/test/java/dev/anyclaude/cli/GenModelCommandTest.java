package dev.anyclaude.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.engine.Architecture;
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
        assertThat(run(
                        "--out",
                        file.toString(),
                        "--embd",
                        "64",
                        "--layers",
                        "2",
                        "--heads",
                        "2",
                        "--kv-heads",
                        "1",
                        "--ff",
                        "128",
                        "--ctx",
                        "512",
                        "--seed",
                        "9"))
                .isZero();
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
        assertThat(run("--out", file.toString(), "--verdict", "{\"outcome\": \"flagged\"}"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--verdict: only with --tool-call");
        assertThat(file).doesNotExist();
    }

    @Test
    void writesTheArchitectureAndExpertsItsOptionsName() throws Exception {
        Path file = dir.resolve("moe.gguf");
        assertThat(run(
                        "--out",
                        file.toString(),
                        "--arch",
                        "qwen3moe",
                        "--embd",
                        "64",
                        "--layers",
                        "2",
                        "--heads",
                        "2",
                        "--ff",
                        "128",
                        "--experts",
                        "6",
                        "--experts-used",
                        "3",
                        "--expert-ff",
                        "96",
                        "--seed",
                        "9"))
                .isZero();
        Path expected = dir.resolve("expected.gguf");
        GgufWriter.writeTiny(
                new TinyLlamaSpec(64, 2, 2, 2, 128, 16384, 9), new Architecture.Qwen3Moe(6, 3, 96), null, expected);
        assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(expected));
        assertThat(out.toString()).contains("qwen3moe, 64 x 2 layers", "6 experts (3 used) of ff 96");
    }

    @Test
    void aMixtureOfExpertsDefaultsToFourExpertsTwoUsedEachAsWideAsTheFeedForward() throws Exception {
        Path file = dir.resolve("moe.gguf");
        assertThat(run(
                        "--out",
                        file.toString(),
                        "--arch",
                        "qwen3moe",
                        "--embd",
                        "64",
                        "--layers",
                        "1",
                        "--heads",
                        "2",
                        "--ff",
                        "64"))
                .isZero();
        Path expected = dir.resolve("expected.gguf");
        GgufWriter.writeTiny(
                new TinyLlamaSpec(64, 1, 2, 2, 64, 16384, 1), new Architecture.Qwen3Moe(4, 2, 64), null, expected);
        assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(expected));
    }

    @Test
    void writesQwen3WithItsChatTemplate() throws Exception {
        Path template = dir.resolve("t.jinja");
        Files.writeString(template, "{% for m in messages %}<|im_start|>{{ m.content }}<|im_end|>{% endfor %}");
        Path file = dir.resolve("q.gguf");
        assertThat(run(
                        "--out",
                        file.toString(),
                        "--arch",
                        "qwen3",
                        "--embd",
                        "64",
                        "--layers",
                        "1",
                        "--heads",
                        "2",
                        "--ff",
                        "64",
                        "--chat-template",
                        template.toString()))
                .isZero();
        Path expected = dir.resolve("expected.gguf");
        GgufWriter.writeTiny(
                new TinyLlamaSpec(64, 1, 2, 2, 64, 16384, 1),
                new Architecture.Qwen3(),
                Files.readString(template),
                expected);
        assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(expected));
        assertThat(out.toString()).contains("qwen3, 64 x 1 layers", "ff 64");
    }

    @Test
    void refusesAnUnknownArchitectureNamingTheThreeItKnows() {
        Path file = dir.resolve("bad.gguf");
        assertThat(run("--out", file.toString(), "--arch", "mamba")).isEqualTo(2);
        assertThat(err.toString()).contains("--arch: mamba (expected: one of llama, qwen3, qwen3moe)");
        assertThat(file).doesNotExist();
    }

    @Test
    void expertOptionsBelongToAMixtureOfExperts() {
        Path file = dir.resolve("bad.gguf");
        assertThat(run("--out", file.toString(), "--arch", "qwen3", "--experts", "8"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--experts: only with --arch qwen3moe");
        assertThat(run("--out", file.toString(), "--experts-used", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("--experts-used: only with --arch qwen3moe");
        assertThat(run("--out", file.toString(), "--expert-ff", "64")).isEqualTo(2);
        assertThat(err.toString()).contains("--expert-ff: only with --arch qwen3moe");
        assertThat(file).doesNotExist();
    }

    @Test
    void refusesExpertCountsLlamaCppCannotLoad() {
        Path file = dir.resolve("bad.gguf");
        assertThat(run("--out", file.toString(), "--arch", "qwen3moe", "--experts", "4", "--experts-used", "5"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--experts-used: 5 (expected: 1 to experts 4)");
        assertThat(run("--out", file.toString(), "--arch", "qwen3moe", "--experts", "0"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--experts: 0 (expected: 1 to 1024)");
        assertThat(run("--out", file.toString(), "--arch", "qwen3moe", "--expert-ff", "100"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--expert-ff: 100 (expected: a positive multiple of 32)");
        assertThat(file).doesNotExist();
    }

    @Test
    void aToolCallingModelIsLlama() {
        Path file = dir.resolve("t.gguf");
        assertThat(run("--out", file.toString(), "--tool-call", "ls", "--arch", "qwen3"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--arch: qwen3 (expected: llama with --tool-call");
        assertThat(file).doesNotExist();
    }
}
