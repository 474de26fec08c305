package dev.anyclaude.backend.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.backend.Flavor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command lines each server kind is started with. */
class ServerCommandTest {
    private static final Path SLOTS = Path.of("/var/cache/anyclaude/slots");
    private static final long GIB = 1L << 30;

    private static LaunchSpec spec(Flavor kind, String model, long ctx, List<String> extra, String toolParser) {
        return new LaunchSpec(kind, null, model, ctx, 3, 0, extra, null, null, toolParser, Duration.ofMinutes(1));
    }

    @Test
    void llamaServerGetsSlotsPersistenceJinjaAndMetricsWithUserArgumentsLast() {
        ServerCommand c = ServerCommand.of(
                spec(
                        Flavor.LLAMACPP,
                        "/models/Qwen3-Coder-30B-Q4_K_M.gguf",
                        0,
                        List.of("--flash-attn", "on", "-c", "131072"),
                        null),
                4321,
                SLOTS,
                64 * GIB);

        assertThat(c.argv())
                .containsExactly(
                        "llama-server",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "4321",
                        "-m",
                        "/models/Qwen3-Coder-30B-Q4_K_M.gguf",
                        "--alias",
                        "Qwen3-Coder-30B-Q4_K_M",
                        "-c",
                        "65536",
                        "--parallel",
                        "3",
                        "--kv-unified",
                        "--slot-save-path",
                        SLOTS.toString(),
                        "--jinja",
                        "--metrics",
                        "--flash-attn",
                        "on",
                        "-c",
                        "131072");
        assertThat(c.servedModel()).isEqualTo("Qwen3-Coder-30B-Q4_K_M");
        assertThat(c.contextTokens()).isEqualTo(65_536);
        assertThat(c.env()).isEmpty();
    }

    @Test
    void llamaServerNeedsAModelUnlessTheUserPassesOne() {
        assertThatThrownBy(() -> ServerCommand.of(spec(Flavor.LLAMACPP, null, 0, List.of(), null), 1, SLOTS, GIB))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--model: missing (expected: the GGUF file llama-server should load)");

        ServerCommand c = ServerCommand.of(
                spec(Flavor.LLAMACPP, null, 32768, List.of("-hf", "org/model-GGUF"), null), 1, SLOTS, GIB);
        assertThat(c.argv()).doesNotContain("-m").endsWith("-hf", "org/model-GGUF");
        assertThat(c.servedModel()).isNull();
        assertThat(c.contextTokens()).isEqualTo(32_768);
    }

    @Test
    void mlxGetsALargerPromptCacheSizedByMemoryAndAnOutputBudget() {
        ServerCommand c = ServerCommand.of(
                spec(Flavor.MLX, "mlx-community/Qwen3-Coder-30B-A3B-Instruct-4bit", 65536, List.of(), null),
                8080,
                SLOTS,
                32 * GIB);

        assertThat(c.argv())
                .containsExactly(
                        "mlx_lm.server",
                        "--model",
                        "mlx-community/Qwen3-Coder-30B-A3B-Instruct-4bit",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "8080",
                        "--prompt-cache-size",
                        "12",
                        "--prompt-cache-bytes",
                        Long.toString(8 * GIB),
                        "--max-tokens",
                        "8192");
        assertThat(c.servedModel()).isEqualTo("mlx-community/Qwen3-Coder-30B-A3B-Instruct-4bit");
    }

    @Test
    void vllmGetsPrefixCachingAndAToolParserForTheModelFamily() {
        ServerCommand c = ServerCommand.of(
                spec(Flavor.VLLM, "Qwen/Qwen3-Coder-30B-A3B-Instruct", 0, List.of(), null), 8000, SLOTS, GIB);

        assertThat(c.argv())
                .containsExactly(
                        "vllm",
                        "serve",
                        "Qwen/Qwen3-Coder-30B-A3B-Instruct",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "8000",
                        "--served-model-name",
                        "Qwen/Qwen3-Coder-30B-A3B-Instruct",
                        "--enable-prefix-caching",
                        "--enable-auto-tool-choice",
                        "--tool-call-parser",
                        "qwen3_coder");
        assertThat(c.contextTokens()).isZero();

        ServerCommand sized = ServerCommand.of(
                spec(Flavor.VLLM, "meta-llama/Llama-3.3-70B-Instruct", 100000, List.of(), "pythonic"),
                8000,
                SLOTS,
                GIB);
        assertThat(sized.argv())
                .containsSequence("--max-model-len", "100000")
                .endsWith("--tool-call-parser", "pythonic");
    }

    @Test
    void toolParserGuessesFollowTheModelName() {
        assertThat(ServerCommand.toolParserFor("meta-llama/Llama-3.1-8B-Instruct"))
                .isEqualTo("llama3_json");
        assertThat(ServerCommand.toolParserFor("mistralai/Devstral-Small-2507")).isEqualTo("mistral");
        assertThat(ServerCommand.toolParserFor("openai/gpt-oss-20b")).isEqualTo("openai");
        assertThat(ServerCommand.toolParserFor("Qwen/Qwen2.5-Coder-32B-Instruct"))
                .isEqualTo("hermes");
    }

    @Test
    void ollamaGetsItsPortContextAndKeepAliveThroughTheEnvironment() {
        ServerCommand c =
                ServerCommand.of(spec(Flavor.OLLAMA, "qwen3-coder:30b", 0, List.of(), null), 11500, SLOTS, GIB);

        assertThat(c.argv()).containsExactly("ollama", "serve");
        assertThat(c.env())
                .containsEntry("OLLAMA_HOST", "127.0.0.1:11500")
                .containsEntry("OLLAMA_CONTEXT_LENGTH", "65536")
                .containsEntry("OLLAMA_KEEP_ALIVE", "-1");
        assertThat(c.servedModel()).isEqualTo("qwen3-coder:30b");
        assertThat(c.display())
                .isEqualTo("OLLAMA_HOST=127.0.0.1:11500 OLLAMA_CONTEXT_LENGTH=65536 OLLAMA_KEEP_ALIVE=-1 ollama serve");
    }

    @Test
    void anExplicitExecutableReplacesTheDefaultOne() {
        LaunchSpec s = new LaunchSpec(
                Flavor.LLAMACPP,
                "/opt/llama.cpp/build/bin/llama-server",
                "m.gguf",
                8192,
                1,
                0,
                List.of(),
                null,
                null,
                null,
                Duration.ofMinutes(1));
        assertThat(ServerCommand.of(s, 9000, SLOTS, GIB).argv().getFirst())
                .isEqualTo("/opt/llama.cpp/build/bin/llama-server");
    }

    @Test
    void servedNamesDropPathsExtensionsAndShardSuffixes() {
        assertThat(ServerCommand.servedName("/m/GLM-4.5-Air-Q4_K_M-00001-of-00002.gguf"))
                .isEqualTo("GLM-4.5-Air-Q4_K_M");
        assertThat(ServerCommand.servedName("./local/model-dir")).isEqualTo("model-dir");
        assertThat(ServerCommand.servedName("Qwen/Qwen3-8B")).isEqualTo("Qwen/Qwen3-8B");
    }

    @Test
    void displayQuotesWhatAShellWouldSplit() {
        ServerCommand c = new ServerCommand(
                List.of("llama-server", "--chat-template-kwargs", "{\"enable_thinking\": false}", "--api-key", "it's"),
                java.util.Map.of(),
                null,
                0);
        assertThat(c.display())
                .isEqualTo("llama-server --chat-template-kwargs '{\"enable_thinking\": false}' --api-key 'it'\"'\"'s'");
    }

    @Test
    void outputBudgetIsAnEighthOfTheContextWithinBounds() {
        assertThat(ServerCommand.maxOutputTokens(0)).isEqualTo(32_000);
        assertThat(ServerCommand.maxOutputTokens(4_096)).isEqualTo(1_024);
        assertThat(ServerCommand.maxOutputTokens(65_536)).isEqualTo(8_192);
        assertThat(ServerCommand.maxOutputTokens(1_000_000)).isEqualTo(32_000);
    }

    @Test
    void launchKindsAcceptCommonSpellingsAndRefuseOthers() {
        assertThat(Flavor.parseLaunch("llama.cpp")).isEqualTo(Flavor.LLAMACPP);
        assertThat(Flavor.parseLaunch("mlx_lm.server")).isEqualTo(Flavor.MLX);
        assertThat(Flavor.parseLaunch(" Ollama ")).isEqualTo(Flavor.OLLAMA);
        assertThatThrownBy(() -> Flavor.parseLaunch("sglang"))
                .hasMessage("--launch: sglang (expected: llama-server, mlx, vllm or ollama)");
    }

    @Test
    void everyLaunchableFlavorHasACommandLineAndNoOtherCanBeLaunched() {
        for (Flavor f : Flavor.values()) {
            if (f.launch() != null) {
                ServerCommand c = ServerCommand.of(spec(f, "org/model", 0, List.of(), null), 4321, SLOTS, GIB);
                assertThat(c.argv().getFirst())
                        .as(f.label())
                        .isEqualTo(f.launch().executable());
            } else {
                assertThatThrownBy(() -> LaunchSpec.of(f, "m"))
                        .as(f.label())
                        .hasMessage("kind: " + f.label() + " (expected: a flavor anyclaude can launch)");
            }
        }
    }

    @Test
    void restartDelaysDoubleUpToTheCeiling() {
        RestartPolicy p = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(2), 8);
        assertThat(List.of(p.delay(1), p.delay(2), p.delay(3), p.delay(5), p.delay(6), p.delay(40)))
                .containsExactly(
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(4),
                        Duration.ofSeconds(16),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(30));
    }
}
