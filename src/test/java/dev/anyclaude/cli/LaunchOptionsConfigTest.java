package dev.anyclaude.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The launch options from the command line, the environment and the config file. */
class LaunchOptionsConfigTest {

    private static ServeOptions parse(Path config, Map<String, String> env, String... args) {
        ServeCommand serve = new ServeCommand();
        CommandLine cli = new CommandLine(serve);
        String[] all = config == null ? args : prepend("--config", config.toString(), args);
        ConfigDefaults defaults = ConfigDefaults.load(all, env);
        cli.setDefaultValueProvider(defaults);
        defaults.check(java.util.List.of(cli));
        cli.parseArgs(all);
        return serve.options;
    }

    private static String[] prepend(String a, String b, String[] rest) {
        String[] out = new String[rest.length + 2];
        out[0] = a;
        out[1] = b;
        System.arraycopy(rest, 0, out, 2, rest.length);
        return out;
    }

    @Test
    void serverArgumentsFromTheCommandLineKeepCommasAndDashes() {
        ServeOptions o = parse(
                null,
                Map.of(),
                "--launch",
                "llama-server",
                "--server-arg",
                "--tensor-split",
                "--server-arg",
                "3,1",
                "--server-arg=-ngl",
                "--server-arg",
                "99");

        assertThat(o.launch).isEqualTo("llama-server");
        assertThat(o.serverArgs).containsExactly("--tensor-split", "3,1", "-ngl", "99");
    }

    @Test
    void serverArgumentsFromAConfigListKeepCommas(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("anyclaude.yaml");
        Files.writeString(file, """
                launch: llama-server
                model: /models/qwen.gguf
                ctx: 65536
                server-arg: ["--tensor-split", "3,1", "--flash-attn", "on"]
                server-ready-timeout: 1200
                """);

        ServeOptions o = parse(file, Map.of());

        assertThat(o.serverArgs).containsExactly("--tensor-split", "3,1", "--flash-attn", "on");
        assertThat(o.serverReadyTimeoutSeconds).isEqualTo(1200);
        assertThat(o.ctx).isEqualTo(65536);
    }

    @Test
    void theEnvironmentOverridesTheFileAndFlagsOverrideBoth(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("anyclaude.yaml");
        Files.writeString(file, "launch: vllm\nserver-bin: /from/file\ntool-parser: hermes\n");

        ServeOptions o = parse(
                file, Map.of("ANYCLAUDE_SERVER_BIN", "/from/env", "ANYCLAUDE_LAUNCH", "ollama"), "--launch", "mlx");

        assertThat(o.launch).isEqualTo("mlx");
        assertThat(o.serverBin).isEqualTo("/from/env");
        assertThat(o.toolParser).isEqualTo("hermes");
    }

    @Test
    void theConfigExampleInTheLaunchDocsIsAccepted(@TempDir Path dir) throws Exception {
        String doc = Files.readString(Path.of("docs", "launch.md"));
        int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, doc.substring(start, doc.indexOf("```", start)));

        ServeOptions o = parse(file, Map.of());

        assertThat(o.launch).isEqualTo("llama-server");
        assertThat(o.ctx).isEqualTo(98304);
        assertThat(o.slots).isEqualTo(3);
        assertThat(o.serverArgs)
                .containsExactly("--flash-attn", "on", "--cache-type-k", "q8_0", "--tensor-split", "3,1");
        assertThat(o.aliases).containsEntry("claude-opus-4-8", "Qwen3-Coder-30B-A3B-Instruct-Q4_K_M");
    }
}
