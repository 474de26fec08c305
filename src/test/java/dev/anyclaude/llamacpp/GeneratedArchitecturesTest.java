package dev.anyclaude.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.cli.GenModelCommand;
import dev.anyclaude.testing.LlamaServerProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code gen-model --arch} writes models the pinned llama-server loads as that architecture: it reports the
 * architecture and the hyperparameters it read (its {@code print_info} lines), counts exactly the parameters the
 * architecture's tensors hold (so Qwen3's query/key norms and the experts were loaded, not ignored), and answers an
 * Anthropic Messages request through the Qwen3-Coder chat template.
 */
class GeneratedArchitecturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PRINT_INFO = Pattern.compile("print_info: (\\S+(?: \\S+)*?)\\s+= (.*)");
    private static final int EMBD = 64;
    private static final int LAYERS = 2;
    private static final int HEADS = 2;
    private static final int KV_HEADS = 1;
    private static final int FF = 128;

    @TempDir
    Path dir;

    static Stream<Arguments> architectures() {
        return Stream.of(
                Arguments.of("llama", List.of(), Map.of("n_ff", "128")),
                Arguments.of("qwen3", List.of("--arch", "qwen3"), Map.of("n_ff", "128", "n_embd_head_k", "32")),
                Arguments.of(
                        "qwen3moe",
                        List.of("--arch", "qwen3moe", "--experts", "6", "--experts-used", "3", "--expert-ff", "96"),
                        Map.of("n_expert", "6", "n_expert_used", "3", "n_ff_exp", "96", "n_embd_head_k", "32")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void theServerLoadsTheGeneratedModelAsItsArchitectureAndAnswers(
            String arch, List<String> archOptions, Map<String, String> hyperparameters) throws Exception {
        LlamaServerProcess.binary(); // its build keeps the release's chat templates
        Path model = dir.resolve(arch + ".gguf");
        List<String> args = new ArrayList<>(List.of(
                "--out",
                model.toString(),
                "--embd",
                "" + EMBD,
                "--layers",
                "" + LAYERS,
                "--heads",
                "" + HEADS,
                "--kv-heads",
                "" + KV_HEADS,
                "--ff",
                "" + FF,
                "--chat-template",
                "Qwen3-Coder"));
        args.addAll(archOptions);
        StringWriter out = new StringWriter();
        CommandLine genModel = new CommandLine(new GenModelCommand());
        genModel.setOut(new PrintWriter(out));
        genModel.setErr(new PrintWriter(out));
        assertThat(genModel.execute(args.toArray(String[]::new)))
                .as(out.toString())
                .isZero();

        Path log = dir.resolve(arch + ".log");
        // -lv 4: the model loader's print_info lines are only logged at debug verbosity.
        try (LlamaServerProcess server = LlamaServerProcess.start(
                model, List.of("-c", "512", "-np", "1", "--jinja", "-lv", "4", "--log-file", log.toString()))) {
            HttpResponse<String> answer = server.post("/v1/messages", """
                    {"model": "tiny", "max_tokens": 4, "temperature": 0,
                     "messages": [{"role": "user", "content": "Say hi"}]}""");
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            JsonNode message = JSON.readTree(answer.body());
            assertThat(message.path("type").asText()).isEqualTo("message");
            assertThat(message.path("content").path(0).path("type").asText())
                    .as(answer.body())
                    .isEqualTo("text");
            assertThat(message.path("usage").path("output_tokens").asInt())
                    .as(answer.body())
                    .isBetween(1, 4);

            JsonNode meta = JSON.readTree(server.get("/v1/models").body())
                    .path("data")
                    .path(0)
                    .path("meta");
            assertThat(meta.path("n_params").asLong())
                    .as("parameters of the %s tensors", arch)
                    .isEqualTo(parameters(arch, meta.path("n_vocab").asLong()));

            Map<String, String> info = printInfo(Files.readString(log));
            assertThat(info)
                    .as(server.logTail())
                    .containsEntry("arch", arch)
                    .containsEntry("n_layer", "" + LAYERS)
                    .containsEntry("n_embd", "" + EMBD)
                    .containsEntry("n_head_kv", "" + KV_HEADS)
                    .containsAllEntriesOf(hyperparameters);
        }
    }

    /** Every element of every tensor the architecture has, counted from its definition in llama.cpp's src/models. */
    private static long parameters(String arch, long vocab) {
        long headDim = EMBD / HEADS;
        long attention = EMBD * HEADS * headDim * 2 + EMBD * KV_HEADS * headDim * 2; // q, output; k, v
        long norms = 2L * EMBD + (arch.equals("llama") ? 0 : 2 * headDim); // attn, ffn; q and k per head
        long feedForward = arch.equals("qwen3moe")
                ? EMBD * 6L + 3L * EMBD * 96 * 6 // router; gate, up, down of each expert
                : 3L * EMBD * FF;
        return 2 * EMBD * vocab + EMBD + LAYERS * (attention + norms + feedForward);
    }

    private static Map<String, String> printInfo(String log) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : log.lines().toList()) {
            Matcher m = PRINT_INFO.matcher(line);
            if (m.find()) {
                out.putIfAbsent(m.group(1), m.group(2).strip());
            }
        }
        return out;
    }
}
