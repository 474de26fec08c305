package dev.anyclaude.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.backend.Flavor;
import dev.anyclaude.backend.InlineSystem;
import dev.anyclaude.cache.CachePolicy;
import dev.anyclaude.engine.NativeOptions;
import dev.anyclaude.observe.Operations;
import dev.anyclaude.toolcall.ToolCallSyntax;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@link Settings}: each check refuses a bad value with the flag's name and what was expected. */
class SettingsTest {

    private static final Settings.Listen LISTEN = new Settings.Listen("127.0.0.1", 0, 1 << 20, Duration.ofSeconds(5));
    private static final Settings.Embedded EMBEDDED =
            new Settings.Embedded(0, NativeOptions.defaults(), 1 << 20, 0, null);
    private static final Settings.L1 L1 = new Settings.L1(4, true, null);
    private static final Settings.L2 L2 =
            new Settings.L2(CachePolicy.DETERMINISTIC, 1 << 20, Duration.ofHours(1), null);
    private static final Settings.Safeguards SAFEGUARDS =
            new Settings.Safeguards(Settings.Safeguards.Mode.LOCAL, null, Duration.ofSeconds(60));
    private static final Settings.Launch LAUNCH = new Settings.Launch(
            Flavor.parseLaunch("llama-server"), null, List.of(), 0, null, Duration.ofSeconds(900), null, null);

    private static Settings.Backend backend(
            Settings.Backend.Kind kind, List<String> upstreams, String model, long ctx, Duration timeout) {
        return new Settings.Backend(
                kind,
                upstreams,
                null,
                Flavor.AUTO,
                model,
                null,
                Map.of(),
                ctx,
                InlineSystem.AUTO,
                ToolCallSyntax.NONE,
                timeout,
                EMBEDDED);
    }

    private static Settings.Backend openai(String... urls) {
        return backend(Settings.Backend.Kind.OPENAI, List.of(urls), null, 0, Duration.ofSeconds(600));
    }

    private static Operations.Settings operations(
            int debug, int warning, int critical, Duration checkEvery, int breakerFailures, Duration coolDown) {
        return new Operations.Settings(
                null, null, null, false, debug, null, warning, critical, checkEvery, breakerFailures, coolDown);
    }

    private static final Operations.Settings OPERATIONS =
            operations(0, 85, 95, Duration.ofSeconds(5), 5, Duration.ofSeconds(10));

    private static Settings settings(Settings.Backend backend, Settings.Launch launch) {
        return new Settings(LISTEN, backend, launch, L1, L2, SAFEGUARDS, OPERATIONS);
    }

    private static void refused(Executable build, String message) {
        assertThatThrownBy(build::execute)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void aCompleteSetOfValidSettingsIsAccepted() {
        Settings s = settings(openai("http://127.0.0.1:8080", "http://127.0.0.1:8081"), null);
        assertThat(s.backend().upstreams()).containsExactly("http://127.0.0.1:8080", "http://127.0.0.1:8081");
        assertThat(settings(openai(), LAUNCH).launch().server().label()).isEqualTo("llamacpp");
        assertThat(settings(
                                backend(
                                        Settings.Backend.Kind.EMBEDDED,
                                        List.of(),
                                        "m.gguf",
                                        4096,
                                        Duration.ofSeconds(1)),
                                null)
                        .backend()
                        .model())
                .isEqualTo("m.gguf");
    }

    @Test
    void theBackendKindResolvesAutoFromTheModelAndTheServers() {
        assertThat(Settings.Backend.Kind.of("auto", "Model.GGUF", null, null))
                .isEqualTo(Settings.Backend.Kind.EMBEDDED);
        assertThat(Settings.Backend.Kind.of("auto", "m.gguf", "http://x", null))
                .isEqualTo(Settings.Backend.Kind.OPENAI);
        assertThat(Settings.Backend.Kind.of("auto", "m.gguf", " ", "llama-server"))
                .isEqualTo(Settings.Backend.Kind.OPENAI);
        assertThat(Settings.Backend.Kind.of("auto", "qwen3", null, null)).isEqualTo(Settings.Backend.Kind.OPENAI);
        assertThat(Settings.Backend.Kind.of("embedded", null, "http://x", null))
                .isEqualTo(Settings.Backend.Kind.EMBEDDED);
        refused(
                () -> Settings.Backend.Kind.of("vllm", null, null, null),
                "--backend: vllm (expected: auto, openai or embedded)");
    }

    @Test
    void upstreamUrlsAreSplitOnCommasSkippingBlanks() {
        assertThat(Settings.Backend.urls("http://a, ,http://b,")).containsExactly("http://a", " http://b".strip());
        assertThat(Settings.Backend.urls(null)).isEmpty();
        assertThat(Settings.Backend.urls(" ")).isEmpty();
    }

    @Test
    void aliasesKeepTheirOrderAndCannotBeChangedAfterwards() {
        Map<String, String> aliases = new LinkedHashMap<>();
        aliases.put("z", "1");
        aliases.put("a", "2");
        aliases.put("m", "3");
        Settings.Backend b = new Settings.Backend(
                Settings.Backend.Kind.OPENAI,
                List.of("http://x"),
                null,
                Flavor.AUTO,
                null,
                null,
                aliases,
                0,
                InlineSystem.AUTO,
                ToolCallSyntax.NONE,
                Duration.ofSeconds(1),
                EMBEDDED);
        aliases.put("late", "4");
        assertThat(b.aliases().keySet()).containsExactly("z", "a", "m");
        assertThatThrownBy(() -> b.aliases().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theOpenAiBackendNeedsAnUpstreamOrALaunchedServer() {
        refused(
                () -> settings(openai(), null),
                "--upstream: missing (expected: the model server's URL, e.g. http://127.0.0.1:8080, or --launch)");
        refused(
                () -> openai("http://a", " "),
                "--upstream: a blank URL (expected: the model servers' URLs, comma-separated)");
    }

    @Test
    void aLaunchedServerIsAnOpenAiUpstream() {
        refused(
                () -> settings(
                        backend(Settings.Backend.Kind.EMBEDDED, List.of(), "m.gguf", 0, Duration.ofSeconds(1)), LAUNCH),
                "--launch: needs --backend openai (the launched server is the upstream)");
    }

    @Test
    void theBackendChecksContextTimeoutAndTheEmbeddedModel() {
        refused(
                () -> backend(Settings.Backend.Kind.OPENAI, List.of("http://x"), null, -1, Duration.ofSeconds(1)),
                "--ctx: -1 (expected: a positive number of tokens, or 0 for the default)");
        refused(
                () -> backend(Settings.Backend.Kind.OPENAI, List.of("http://x"), null, 0, Duration.ZERO),
                "--upstream-timeout: 0 (expected: a positive number of seconds)");
        refused(
                () -> backend(Settings.Backend.Kind.EMBEDDED, List.of(), null, 0, Duration.ofSeconds(1)),
                "--model: missing (expected: a GGUF file for --backend "
                        + "embedded; try ./anyclaude gen-model --out tiny.gguf)");
        refused(
                () -> backend(Settings.Backend.Kind.EMBEDDED, List.of(), "m.gguf", 1L << 31, Duration.ofSeconds(1)),
                "--ctx: 2147483648 (expected: at most 2147483647)");
        assertThatCode(() -> backend(
                        Settings.Backend.Kind.OPENAI, List.of("http://x"), null, 1L << 31, Duration.ofSeconds(1)))
                .as("a server's context may exceed an int")
                .doesNotThrowAnyException();
    }

    @Test
    void theListeningSideChecksHostPortBodyAndPing() {
        refused(
                () -> new Settings.Listen(" ", 0, 1, Duration.ofSeconds(1)),
                "--host: missing (expected: an address to listen on, e.g. 127.0.0.1)");
        refused(
                () -> new Settings.Listen("127.0.0.1", 65536, 1, Duration.ofSeconds(1)),
                "--port: 65536 (expected: 1-65535, or 0 for a free port)");
        refused(
                () -> new Settings.Listen("127.0.0.1", -1, 1, Duration.ofSeconds(1)),
                "--port: -1 (expected: 1-65535, or 0 for a free port)");
        refused(
                () -> new Settings.Listen("127.0.0.1", 0, 0, Duration.ofSeconds(1)),
                "--max-body-bytes: 0 (expected: a positive number of bytes)");
        refused(
                () -> new Settings.Listen("127.0.0.1", 0, 1, Duration.ZERO),
                "--ping-seconds: 0 (expected: a positive number of seconds)");
    }

    @Test
    void aLaunchChecksItsPortAndReadyTimeout() {
        refused(
                () -> new Settings.Launch(
                        LAUNCH.server(), null, List.of(), 70000, null, Duration.ofSeconds(1), null, null),
                "--server-port: 70000 (expected: 1-65535, or 0 for a free port)");
        refused(
                () -> new Settings.Launch(
                        LAUNCH.server(), null, List.of(), 0, null, Duration.ofSeconds(-3), null, null),
                "--server-ready-timeout: -3 (expected: a positive number of seconds)");
    }

    @Test
    void slotsAreAtLeastOne() {
        refused(() -> new Settings.L1(0, true, null), "--slots: 0 (expected: at least 1)");
    }

    @Test
    void theResponseCacheSettingsAreRefusedAsOptionsWithTheCachesOwnWords() {
        refused(
                () -> Settings.L2.policy("sometimes"),
                "--response-cache: 'sometimes' (expected: deterministic, always or off)");
        refused(
                () -> new Settings.L2(CachePolicy.ALWAYS, 10, Duration.ofHours(1), null),
                "--response-cache-bytes: 10 (expected: at least 1024)");
        refused(
                () -> new Settings.L2(CachePolicy.ALWAYS, 1 << 20, Duration.ZERO, null),
                "--response-cache-ttl: PT0S (expected: a positive duration)");
        refused(
                () -> new Settings.L2(CachePolicy.ALWAYS, 1 << 20, Duration.ofHours(1), "localhost:6379"),
                "--redis: 'localhost:6379' (expected: redis://host:port[/db])");
        assertThat(L2.config().maxEntryBytes())
                .as("the entry bound follows the memory bound")
                .isEqualTo(1 << 17);
        assertThat(new Settings.L2(CachePolicy.OFF, 4096, Duration.ofSeconds(1), "redis://127.0.0.1:6379/2")
                        .config()
                        .redisUri())
                .isEqualTo("redis://127.0.0.1:6379/2");
    }

    @Test
    void localSafeguardsNeedATimeoutOfASecondOrMore() {
        refused(
                () -> new Settings.Safeguards(Settings.Safeguards.Mode.LOCAL, null, Duration.ofMillis(999)),
                "--safeguards-timeout: 0 (expected: at least 1 second)");
        assertThat(new Settings.Safeguards(Settings.Safeguards.Mode.OFF, null, Duration.ZERO).mode())
                .as("no timeout matters when nothing is judged")
                .isEqualTo(Settings.Safeguards.Mode.OFF);
        assertThat(Settings.Safeguards.Mode.parse("off")).isEqualTo(Settings.Safeguards.Mode.OFF);
        refused(() -> Settings.Safeguards.Mode.parse("remote"), "--safeguards: remote (expected: local or off)");
    }

    @Test
    void theOperationsSettingsCheckDebugMemoryAndBreaker() {
        Duration s5 = Duration.ofSeconds(5);
        refused(() -> operations(4, 85, 95, s5, 5, s5), "--debug: 4 (expected: 0, 1, 2 or 3; also ANYCLAUDE_DEBUG)");
        refused(() -> operations(-1, 85, 95, s5, 5, s5), "--debug: -1 (expected: 0, 1, 2 or 3; also ANYCLAUDE_DEBUG)");
        refused(() -> operations(0, 0, 95, s5, 5, s5), "--memory-warning: 0 (expected: a percentage from 1 to 99)");
        refused(
                () -> operations(0, 90, 90, s5, 5, s5),
                "--memory-critical: 90 (expected: a percentage above --memory-warning 90, at most 100)");
        refused(
                () -> operations(0, 85, 95, Duration.ZERO, 5, s5),
                "--memory-check-seconds: 0 (expected: a positive number of seconds)");
        refused(
                () -> operations(0, 85, 95, s5, -1, s5),
                "--breaker-failures: -1 (expected: 0 to disable, or a positive count)");
        refused(
                () -> operations(0, 85, 95, s5, 5, Duration.ZERO),
                "--breaker-cooldown: 0 (expected: a positive number of seconds)");
        assertThat(operations(0, 85, 95, s5, 0, Duration.ZERO).breakerFailures())
                .as("no cool-down matters without a breaker")
                .isZero();
    }
}
