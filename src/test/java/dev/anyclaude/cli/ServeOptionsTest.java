package dev.anyclaude.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.backend.Flavor;
import dev.anyclaude.backend.InlineSystem;
import dev.anyclaude.cache.CachePolicy;
import dev.anyclaude.cache.ResponseCacheConfig;
import dev.anyclaude.engine.Accelerator;
import dev.anyclaude.engine.NativeOptions;
import dev.anyclaude.gateway.Settings;
import dev.anyclaude.toolcall.ToolCallSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@link ServeOptions#settings()}: the options as parsed by picocli become the gateway's checked settings. */
class ServeOptionsTest {

    private static ServeOptions parse(String... args) {
        return parse(null, args);
    }

    /** As {@code anyclaude serve} parses its options: config file defaults (if any) under the command line. */
    private static ServeOptions parse(Path config, String... args) {
        ServeCommand serve = new ServeCommand();
        CommandLine cli = new CommandLine(serve);
        List<String> all = new ArrayList<>();
        if (config != null) {
            all.addAll(List.of("--config", config.toString()));
        }
        all.addAll(List.of(args));
        ConfigDefaults defaults = ConfigDefaults.load(all.toArray(String[]::new), Map.of());
        cli.setDefaultValueProvider(defaults);
        defaults.check(List.of(cli));
        cli.parseArgs(all.toArray(String[]::new));
        return serve.options;
    }

    private static void refused(Consumer<ServeOptions> tweak, String messageStart) {
        ServeOptions o = parse("--upstream", "http://127.0.0.1:8080");
        tweak.accept(o);
        assertThatThrownBy(o::settings)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(messageStart);
    }

    @Test
    void theDefaultsMakeAnOpenAiGatewayOnPort8082() {
        Settings s = parse("--upstream", "http://127.0.0.1:8080,http://127.0.0.1:8081")
                .settings();
        assertThat(s.backend().kind()).isEqualTo(Settings.Backend.Kind.OPENAI);
        assertThat(s.backend().upstreams()).containsExactly("http://127.0.0.1:8080", "http://127.0.0.1:8081");
        assertThat(s.backend().flavor()).isEqualTo(Flavor.AUTO);
        assertThat(s.backend().inlineSystem()).isEqualTo(InlineSystem.AUTO);
        assertThat(s.backend().toolFormat()).isEqualTo(ToolCallSyntax.NONE);
        assertThat(s.backend().upstreamTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(s.listen()).isEqualTo(new Settings.Listen("127.0.0.1", 8082, 33554432L, Duration.ofSeconds(5)));
        assertThat(s.launch()).isNull();
        assertThat(s.l1()).isEqualTo(new Settings.L1(4, true, null));
        assertThat(s.l2()).isEqualTo(new Settings.L2(CachePolicy.DETERMINISTIC, 134217728L, Duration.ofHours(1), null));
        assertThat(s.l2().config()).isEqualTo(ResponseCacheConfig.defaults());
        assertThat(s.safeguards())
                .isEqualTo(new Settings.Safeguards(Settings.Safeguards.Mode.LOCAL, null, Duration.ofSeconds(60)));
        assertThat(s.backend().embedded().natives()).isEqualTo(NativeOptions.defaults());
        assertThat(s.backend().embedded().stateRamBytes()).isEqualTo(1L << 30);
        assertThat(s.backend().embedded().stateDiskBytes()).isEqualTo(8L << 30);
        assertThat(s.operations().memoryWarningPercent()).isEqualTo(85);
        assertThat(s.operations().memoryCriticalPercent()).isEqualTo(95);
        assertThat(s.operations().memoryCheckEvery()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.operations().breakerFailures()).isEqualTo(5);
        assertThat(s.operations().breakerCoolDown()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.operations().debug()).isZero();
    }

    @Test
    void optionsBuiltInCodeMatchTheParsedDefaults() {
        ServeOptions inCode = new ServeOptions();
        inCode.upstream = "http://127.0.0.1:8080";
        assertThat(inCode.settings())
                .isEqualTo(parse("--upstream", "http://127.0.0.1:8080").settings());
    }

    @Test
    void theHelpShowsTheDefaultsTheFieldsStartWith() {
        String help =
                new CommandLine(new ServeCommand()).setUsageHelpWidth(2000).getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertThat(help)
                .contains("Port to listen on; 0 picks a free port. Default: 8082.")
                .contains("Address to listen on. Default: 127.0.0.1.")
                .contains("Memory bound of the response cache. Default: 134217728 (128 MiB).")
                .contains("Default: local.")
                .contains("Default: deterministic.");
    }

    @Test
    void eachOptionReachesItsSetting() {
        Settings s = parse(
                        "--model",
                        "m.gguf",
                        "--ctx",
                        "8192",
                        "--slots",
                        "2",
                        "--threads",
                        "3",
                        "--gpu",
                        "none",
                        "--gpu-layers",
                        "7",
                        "--flash-attn",
                        "on",
                        "--kv-type",
                        "q8_0",
                        "--no-normalize",
                        "--ping-seconds",
                        "0",
                        "--response-cache",
                        "off",
                        "--safeguards",
                        "off",
                        "--alias",
                        "a=b",
                        "--debug",
                        "2",
                        "--warm-file",
                        "w.json",
                        "--fold-inline-system",
                        "--tool-format",
                        "Hermes")
                .settings();
        assertThat(s.backend().kind())
                .as("auto with a GGUF file and no server")
                .isEqualTo(Settings.Backend.Kind.EMBEDDED);
        assertThat(s.backend().ctx()).isEqualTo(8192);
        assertThat(s.l1()).isEqualTo(new Settings.L1(2, false, Path.of("w.json")));
        assertThat(s.backend().embedded().threads()).isEqualTo(3);
        assertThat(s.backend().embedded().natives())
                .isEqualTo(new NativeOptions(
                        null, Accelerator.NONE, 7, NativeOptions.FlashAttention.ON, NativeOptions.KvType.Q8_0));
        assertThat(s.listen().ping()).as("at least a second between pings").isEqualTo(Duration.ofSeconds(1));
        assertThat(s.l2().policy()).isEqualTo(CachePolicy.OFF);
        assertThat(s.safeguards().mode()).isEqualTo(Settings.Safeguards.Mode.OFF);
        assertThat(s.backend().aliases()).containsExactly(Map.entry("a", "b"));
        assertThat(s.operations().debug()).isEqualTo(2);
        assertThat(s.backend().inlineSystem()).isEqualTo(InlineSystem.FOLD);
        assertThat(s.backend().toolFormat()).isEqualTo(ToolCallSyntax.HERMES);

        Settings launched = parse(
                        "--launch",
                        "vllm",
                        "--server-port",
                        "9000",
                        "--server-arg",
                        "--x",
                        "--server-ready-timeout",
                        "30")
                .settings();
        assertThat(launched.backend().kind()).isEqualTo(Settings.Backend.Kind.OPENAI);
        assertThat(launched.launch().server()).isEqualTo(Flavor.parseLaunch("vllm"));
        assertThat(launched.launch().port()).isEqualTo(9000);
        assertThat(launched.launch().extraArgs()).containsExactly("--x");
        assertThat(launched.launch().readyTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void configFileDefaultsReachTheSettingsUnderTheCommandLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("anyclaude.yaml");
        Files.writeString(
                file,
                "upstream: http://127.0.0.1:1\nslots: 2\nresponse-cache: always\nmemory-warning: 70\n"
                        + "server-arg:\n  - --no-mmap\n  - --verbose\nlaunch: llama-server\n");
        Settings s = parse(file, "--slots", "3").settings();
        assertThat(s.l1().slots()).as("the command line over the file").isEqualTo(3);
        assertThat(s.l2().policy()).isEqualTo(CachePolicy.ALWAYS);
        assertThat(s.operations().memoryWarningPercent()).isEqualTo(70);
        assertThat(s.launch().extraArgs()).containsExactly("--no-mmap", "--verbose");
        assertThat(s.backend().upstreams()).containsExactly("http://127.0.0.1:1");
    }

    @Test
    void aBadValueInTheConfigFileIsRefusedWithItsOptionsName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("anyclaude.yaml");
        Files.writeString(file, "upstream: http://127.0.0.1:1\nmemory-critical: 50\n");
        assertThatThrownBy(() -> parse(file).settings())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--memory-critical: 50 (expected: a percentage above --memory-warning 85, at most 100)");
    }

    @Test
    void aBadValueIsRefusedWithItsOptionsName() {
        refused(o -> o.backend = "tgi", "--backend: tgi (expected: auto, openai or embedded)");
        refused(o -> o.flavor = "tgi", "flavor: tgi (expected: ");
        refused(o -> o.toolFormat = "xml", "--tool-format: xml (expected one of: ");
        refused(o -> o.inlineSystem = "drop", "--inline-system: drop (expected: auto, keep or fold)");
        refused(o -> o.gpu = "rocm", "--gpu: 'rocm' (expected one of: ");
        refused(o -> o.gpuLayers = "some", "--gpu-layers: 'some' (expected: a count of 0 or more, or all)");
        refused(
                o -> o.responseCache = "sometimes",
                "--response-cache: 'sometimes' (expected: deterministic, always or off)");
        refused(o -> o.responseCacheBytes = 10, "--response-cache-bytes: 10 (expected: at least 1024)");
        refused(o -> o.responseCacheTtlSeconds = 0, "--response-cache-ttl: PT0S (expected: a positive duration)");
        refused(o -> o.redis = "localhost:6379", "--redis: 'localhost:6379' (expected: redis://host:port[/db])");
        refused(o -> o.safeguards = "on", "--safeguards: on (expected: local or off)");
        refused(o -> o.safeguardsTimeoutSeconds = 0, "--safeguards-timeout: 0 (expected: at least 1 second)");
        refused(o -> o.launch = "tgi", "--launch: tgi (expected: ");
        refused(o -> o.debug = 5, "--debug: 5 (expected: 0, 1, 2 or 3");
        refused(o -> o.port = 99999, "--port: 99999 (expected: 1-65535, or 0 for a free port)");
        refused(o -> o.upstream = null, "--upstream: missing (expected: the model server's URL");
        refused(
                o -> {
                    o.backend = "embedded";
                    o.model = "m.gguf";
                    o.launch = "llama-server";
                },
                "--launch: needs --backend openai (the launched server is the upstream)");
    }
}
