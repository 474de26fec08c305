package dev.anyclaude.gateway;

import dev.anyclaude.backend.Flavor;
import dev.anyclaude.backend.InlineSystem;
import dev.anyclaude.cache.CachePolicy;
import dev.anyclaude.cache.ResponseCacheConfig;
import dev.anyclaude.engine.NativeOptions;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.observe.Operations;
import dev.anyclaude.toolcall.ToolCallSyntax;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a {@link Gateway} is started with, checked when it is built: a value that passes the compact
 * constructors is one the gateway can start from, short of what only the running system can tell (a file
 * that cannot be read, a host that does not resolve, a server that does not answer). Each refusal is an
 * {@link IllegalArgumentException} naming the command-line flag and what was expected.
 *
 * @param listen where the HTTP server listens and how it treats bodies and idle streams
 * @param backend what answers the requests: model servers or the embedded engine
 * @param launch the model server to start and supervise ({@code --launch}), or null for none
 * @param l1 the prefix side: slots, prompt normalization, the warm-up request
 * @param l2 the exact response cache and its shared Redis tier
 * @param safeguards who judges Claude Code auto mode's tool calls
 * @param operations API key, logs, debugging, memory monitor and circuit breaker
 */
public record Settings(
        Listen listen,
        Backend backend,
        Launch launch,
        L1 l1,
        L2 l2,
        Safeguards safeguards,
        Operations.Settings operations) {

    public Settings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(l1, "l1");
        Objects.requireNonNull(l2, "l2");
        Objects.requireNonNull(safeguards, "safeguards");
        Objects.requireNonNull(operations, "operations");
        if (launch != null && backend.kind() != Backend.Kind.OPENAI) {
            throw new IllegalArgumentException(
                    "--launch: needs --backend openai (the launched server is the upstream)");
        }
        if (backend.kind() == Backend.Kind.OPENAI
                && launch == null
                && backend.upstreams().isEmpty()) {
            throw new IllegalArgumentException(
                    "--upstream: missing (expected: the model server's URL, e.g. http://127.0.0.1:8080, or --launch)");
        }
    }

    /**
     * The HTTP side.
     *
     * @param host address to listen on ({@code --host})
     * @param port port to listen on, 0 for a free one ({@code --port})
     * @param maxBodyBytes largest request body accepted ({@code --max-body-bytes})
     * @param ping idle time while prefilling after which an SSE ping is sent ({@code --ping-seconds})
     */
    public record Listen(String host, int port, long maxBodyBytes, Duration ping) {
        public Listen {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException(
                        "--host: missing (expected: an address to listen on, e.g. 127.0.0.1)");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port: " + port + " (expected: 1-65535, or 0 for a free port)");
            }
            if (maxBodyBytes < 1) {
                throw new IllegalArgumentException(
                        "--max-body-bytes: " + maxBodyBytes + " (expected: a positive number of bytes)");
            }
            Objects.requireNonNull(ping, "ping");
            if (ping.isNegative() || ping.isZero()) {
                throw new IllegalArgumentException(
                        "--ping-seconds: " + ping.toSeconds() + " (expected: a positive number of seconds)");
            }
        }
    }

    /**
     * What answers the requests.
     *
     * @param kind model servers over the OpenAI API, or the embedded engine
     * @param upstreams the model servers' base URLs ({@code --upstream}, comma-separated); several are replicas
     *     of one model; empty when the server is launched or the engine embedded
     * @param upstreamKey bearer key sent upstream ({@code --upstream-key}), or null
     * @param flavor the servers' kind ({@code --flavor}); {@link Flavor#AUTO} probes it (or takes the launched one)
     * @param model the model for ordinary requests ({@code --model}: a server's model name or a GGUF file), or
     *     null for the server's first model
     * @param smallModel the model for haiku-class requests ({@code --small-model}), or null for the main one
     * @param aliases exact client model names mapped to backend models ({@code --alias}), in the order given
     * @param ctx context size ({@code --ctx}), 0 to learn it from the server or take the engine's default
     * @param inlineSystem how mid-conversation system messages are sent ({@code --inline-system})
     * @param toolFormat the raw-text tool-call format to read ({@code --tool-format})
     * @param upstreamTimeout how long a server may take to start answering ({@code --upstream-timeout})
     * @param embedded the embedded engine's own options (used with {@link Kind#EMBEDDED})
     */
    public record Backend(
            Kind kind,
            List<String> upstreams,
            String upstreamKey,
            Flavor flavor,
            String model,
            String smallModel,
            Map<String, String> aliases,
            long ctx,
            InlineSystem inlineSystem,
            ToolCallSyntax toolFormat,
            Duration upstreamTimeout,
            Embedded embedded) {

        /** {@code --backend} once {@code auto} is resolved. */
        public enum Kind {
            OPENAI,
            EMBEDDED;

            /**
             * {@code --backend} as given, or for {@code auto} the embedded engine when the model is a GGUF file
             * and no model server is named or launched.
             */
            public static Kind of(String backend, String model, String upstream, String launch) {
                String b = backend == null ? "auto" : backend;
                return switch (b) {
                    case "openai" -> OPENAI;
                    case "embedded" -> EMBEDDED;
                    case "auto" -> {
                        boolean gguf =
                                model != null && model.toLowerCase(Locale.ROOT).endsWith(".gguf");
                        yield gguf && (upstream == null || upstream.isBlank()) && (launch == null || launch.isBlank())
                                ? EMBEDDED
                                : OPENAI;
                    }
                    default ->
                        throw new IllegalArgumentException(
                                "--backend: " + backend + " (expected: auto, openai or embedded)");
                };
            }
        }

        public Backend {
            Objects.requireNonNull(kind, "kind");
            upstreams = List.copyOf(upstreams);
            Objects.requireNonNull(flavor, "flavor");
            aliases = Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
            Objects.requireNonNull(inlineSystem, "inlineSystem");
            Objects.requireNonNull(toolFormat, "toolFormat");
            Objects.requireNonNull(upstreamTimeout, "upstreamTimeout");
            Objects.requireNonNull(embedded, "embedded");
            for (String url : upstreams) {
                if (url.isBlank()) {
                    throw new IllegalArgumentException(
                            "--upstream: a blank URL (expected: the model servers' URLs, comma-separated)");
                }
            }
            if (ctx < 0) {
                throw new IllegalArgumentException(
                        "--ctx: " + ctx + " (expected: a positive number of tokens, or 0 for the default)");
            }
            if (upstreamTimeout.isNegative() || upstreamTimeout.isZero()) {
                throw new IllegalArgumentException("--upstream-timeout: " + upstreamTimeout.toSeconds()
                        + " (expected: a positive number of seconds)");
            }
            if (kind == Kind.EMBEDDED) {
                if (model == null) {
                    throw new IllegalArgumentException(
                            "--model: missing (expected: a GGUF file for --backend embedded; "
                                    + "try ./anyclaude gen-model --out tiny.gguf)");
                }
                if (ctx > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(
                            "--ctx: " + ctx + " (expected: at most " + Integer.MAX_VALUE + ")");
                }
            }
        }

        /** {@code --upstream}'s comma-separated URLs, blanks between commas skipped; none for null. */
        public static List<String> urls(String upstream) {
            return upstream == null
                    ? List.of()
                    : Arrays.stream(upstream.split(","))
                            .filter(u -> !u.isBlank())
                            .toList();
        }
    }

    /**
     * The embedded engine's options beyond the model and context.
     *
     * @param threads CPU threads per slot ({@code --threads}), 0 for all cores
     * @param natives which llama.cpp libraries, on which accelerator, with which attention and KV type
     * @param stateRamBytes memory for saved slot states ({@code --state-ram-bytes})
     * @param stateDiskBytes disk for saved slot states spilled from memory ({@code --state-disk-bytes}), 0 for none
     * @param stateDir where spilled states go ({@code --state-dir}), or null for a private cache directory
     */
    public record Embedded(int threads, NativeOptions natives, long stateRamBytes, long stateDiskBytes, Path stateDir) {
        public Embedded {
            Objects.requireNonNull(natives, "natives");
        }
    }

    /**
     * The model server to start and supervise; it takes {@code --model}, {@code --ctx} and (as llama-server's
     * {@code --parallel}) {@code --slots} from the other settings.
     *
     * @param server which server ({@code --launch})
     * @param executable the server executable ({@code --server-bin}), or null to find it on PATH
     * @param extraArgs arguments passed unchanged after anyclaude's own ({@code --server-arg})
     * @param port its port ({@code --server-port}), 0 for a free loopback port
     * @param log its log file ({@code --server-log}), or null for the state directory
     * @param readyTimeout how long it may take to load its model ({@code --server-ready-timeout})
     * @param toolParser vLLM's tool-call parser ({@code --tool-parser}), or null to guess it
     * @param slotDir llama-server's slot save path ({@code --slot-dir}), or null for the cache directory
     */
    public record Launch(
            Flavor server,
            String executable,
            List<String> extraArgs,
            int port,
            Path log,
            Duration readyTimeout,
            String toolParser,
            Path slotDir) {
        public Launch {
            Objects.requireNonNull(server, "server");
            extraArgs = List.copyOf(extraArgs);
            Objects.requireNonNull(readyTimeout, "readyTimeout");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(
                        "--server-port: " + port + " (expected: 1-65535, or 0 for a free port)");
            }
            if (readyTimeout.isNegative() || readyTimeout.isZero()) {
                throw new IllegalArgumentException("--server-ready-timeout: " + readyTimeout.toSeconds()
                        + " (expected: a positive number of seconds)");
            }
        }
    }

    /**
     * The prefix side.
     *
     * @param slots KV slots: the embedded engine's, or a launched llama-server's {@code --parallel} ({@code --slots})
     * @param normalize whether prompts are normalized for reuse (off with {@code --no-normalize})
     * @param warmFile a saved request body prefilled at start-up ({@code --warm-file}), or null
     */
    public record L1(int slots, boolean normalize, Path warmFile) {
        public L1 {
            if (slots < 1) {
                throw new IllegalArgumentException("--slots: " + slots + " (expected: at least 1)");
            }
        }
    }

    /**
     * The exact response cache.
     *
     * @param policy which requests are cached ({@code --response-cache})
     * @param maxBytes bound of the memory tier ({@code --response-cache-bytes})
     * @param ttl how long a cached answer lives ({@code --response-cache-ttl})
     * @param redis the shared tier's URI ({@code --redis}), or null for none
     */
    public record L2(CachePolicy policy, long maxBytes, Duration ttl, String redis) {
        public L2 {
            try {
                cacheConfig(policy, maxBytes, ttl, redis);
            } catch (GatewayException e) {
                throw new IllegalArgumentException("--" + e.getMessage(), e);
            }
        }

        /** {@code --response-cache}'s value. */
        public static CachePolicy policy(String value) {
            try {
                return CachePolicy.parse(value);
            } catch (GatewayException e) {
                throw new IllegalArgumentException("--" + e.getMessage(), e);
            }
        }

        /** These settings over the cache's own defaults (entry bound, Redis key prefix and timeouts). */
        public ResponseCacheConfig config() {
            return cacheConfig(policy, maxBytes, ttl, redis);
        }

        private static ResponseCacheConfig cacheConfig(CachePolicy policy, long maxBytes, Duration ttl, String redis) {
            return ResponseCacheConfig.defaults()
                    .withPolicy(policy)
                    .withMaxBytes(maxBytes)
                    .withTtl(ttl)
                    .withRedis(redis);
        }
    }

    /**
     * Claude Code auto mode's safeguards.
     *
     * @param mode judged by a backend model, or left unanswered ({@code --safeguards})
     * @param model the model that judges ({@code --safeguards-model}), or null for the small model
     * @param timeout longest the verdicts on one answer may take ({@code --safeguards-timeout})
     */
    public record Safeguards(Mode mode, String model, Duration timeout) {

        /** {@code --safeguards local|off}. */
        public enum Mode {
            LOCAL,
            OFF;

            public static Mode parse(String value) {
                return switch (value == null ? "" : value) {
                    case "local" -> LOCAL;
                    case "off" -> OFF;
                    default ->
                        throw new IllegalArgumentException("--safeguards: " + value + " (expected: local or off)");
                };
            }
        }

        public Safeguards {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(timeout, "timeout");
            if (mode == Mode.LOCAL && timeout.toSeconds() < 1) {
                throw new IllegalArgumentException(
                        "--safeguards-timeout: " + timeout.toSeconds() + " (expected: at least 1 second)");
            }
        }
    }
}
