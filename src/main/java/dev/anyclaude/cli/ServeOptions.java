package dev.anyclaude.cli;

import dev.anyclaude.backend.Flavor;
import dev.anyclaude.backend.InlineSystem;
import dev.anyclaude.engine.Accelerator;
import dev.anyclaude.engine.NativeOptions;
import dev.anyclaude.gateway.Settings;
import dev.anyclaude.observe.Operations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The gateway's settings as command-line options, shared by {@code serve} and {@code claude}: picocli fills
 * the fields, {@link #settings()} turns them into the checked {@link Settings} a gateway starts from. The field
 * initializers are the defaults, the only copy: picocli shows and applies them (an option without a value from
 * the command line, the environment or a config file keeps its initial value), and options built in code get them.
 */
public final class ServeOptions {

    /**
     * These options as the gateway's settings.
     *
     * @throws IllegalArgumentException an option is invalid, with its name and what was expected
     */
    public Settings settings() {
        Settings.Backend.Kind kind = Settings.Backend.Kind.of(backend, model, upstream, launch);
        Settings.Embedded embedded = new Settings.Embedded(
                threads,
                new NativeOptions(
                        llamaLib,
                        Accelerator.parse(gpu),
                        NativeOptions.parseGpuLayers(gpuLayers),
                        NativeOptions.FlashAttention.parse(flashAttn),
                        NativeOptions.KvType.parse(kvType)),
                stateRamBytes,
                stateDiskBytes,
                stateDir);
        return new Settings(
                new Settings.Listen(host, port, maxBodyBytes, Duration.ofSeconds(Math.max(1, pingSeconds))),
                new Settings.Backend(
                        kind,
                        Settings.Backend.urls(upstream),
                        upstreamKey,
                        Flavor.parse(flavor),
                        model,
                        smallModel,
                        aliases,
                        ctx,
                        inlineSystem(),
                        toolFormat(),
                        Duration.ofSeconds(upstreamTimeoutSeconds),
                        embedded),
                launch == null
                        ? null
                        : new Settings.Launch(
                                Flavor.parseLaunch(launch),
                                serverBin,
                                serverArgs,
                                serverPort,
                                serverLog,
                                Duration.ofSeconds(serverReadyTimeoutSeconds),
                                toolParser,
                                slotDir),
                new Settings.L1(slots, !noNormalize, warmFile),
                new Settings.L2(
                        Settings.L2.policy(responseCache),
                        responseCacheBytes,
                        Duration.ofSeconds(responseCacheTtlSeconds),
                        redis),
                new Settings.Safeguards(
                        Settings.Safeguards.Mode.parse(safeguards),
                        safeguardsModel,
                        Duration.ofSeconds(safeguardsTimeoutSeconds)),
                new Operations.Settings(
                        apiKey,
                        apiKeyFile,
                        requestLog,
                        logBodies,
                        debug,
                        debugDir,
                        memoryWarning,
                        memoryCritical,
                        Duration.ofSeconds(memoryCheckSeconds),
                        breakerFailures,
                        Duration.ofSeconds(breakerCooldownSeconds)));
    }

    @Option(
            names = "--backend",
            paramLabel = "KIND",
            description = "openai (any /v1/chat/completions server) or embedded "
                    + "(llama.cpp in-process). Default: ${DEFAULT-VALUE}: embedded "
                    + "when --model names a .gguf file and neither --upstream nor --launch is given, else openai.")
    public String backend = "auto";

    @Option(
            names = "--upstream",
            paramLabel = "URL",
            description = "Base URL of the model server, with or without /v1 (e.g. "
                    + "http://127.0.0.1:8080). Several, comma-separated: replicas "
                    + "of one model; each conversation goes to the replica holding "
                    + "its prefix, a dead one is skipped.")
    public String upstream;

    @Option(
            names = "--upstream-key",
            paramLabel = "KEY",
            description = "API key sent upstream as 'Authorization: Bearer'.")
    public String upstreamKey;

    @Option(
            names = "--flavor",
            paramLabel = "NAME",
            description = "Upstream server kind: auto, llamacpp, vllm, sglang, mlx, "
                    + "ollama, lmstudio, generic. Default: ${DEFAULT-VALUE} (probed).")
    public String flavor = "auto";

    @Option(
            names = "--model",
            paramLabel = "NAME|FILE",
            description = "Backend model for ordinary requests (openai: the server's "
                    + "model name, default: its first model; embedded: the GGUF file).")
    public String model;

    @Option(
            names = "--small-model",
            paramLabel = "NAME",
            description = "Backend model for Claude's small/fast (haiku) requests. Default: the main model.")
    public String smallModel;

    @Option(
            names = "--safeguards",
            paramLabel = "local|off",
            description =
                    "Answer Claude Code auto mode's safeguards: local judges each tool call with --safeguards-model"
                            + " and blocks what it cannot judge; off leaves them unanswered "
                            + "(Claude Code then runs its own"
                            + " classifier requests). Default: ${DEFAULT-VALUE}.")
    public String safeguards = "local";

    @Option(
            names = "--safeguards-model",
            paramLabel = "NAME",
            description = "Backend model that judges tool calls for auto mode. Default: the small model.")
    public String safeguardsModel;

    @Option(
            names = "--safeguards-timeout",
            paramLabel = "SECONDS",
            description = "Longest the verdicts on one answer's tool calls may take; a call not judged by then is"
                    + " blocked. Default: ${DEFAULT-VALUE}.")
    public int safeguardsTimeoutSeconds = 60;

    @Option(
            names = "--alias",
            paramLabel = "CLIENT=BACKEND",
            split = ",",
            description = "Map an exact client model name to a backend model (repeatable).")
    public Map<String, String> aliases = new LinkedHashMap<>();

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    public String host = "127.0.0.1";

    @Option(
            names = "--port",
            paramLabel = "N",
            description = "Port to listen on; 0 picks a free port. Default: ${DEFAULT-VALUE}.")
    public int port = 8082;

    @Option(
            names = "--ctx",
            paramLabel = "TOKENS",
            description = "Context size of the backend model (0: learn it from the server, or the embedded default).")
    public long ctx = 0L;

    @Option(
            names = "--inline-system",
            paramLabel = "auto|keep|fold",
            description = "Mid-conversation system messages (Claude Code 2.1.332 sends one every turn): auto asks the "
                    + "server's chat template how it renders one and folds it into "
                    + "the user turn as <system-reminder> "
                    + "text when the template rejects or drops it; keep always "
                    + "sends it; fold always folds. Default: ${DEFAULT-VALUE}.")
    public String inlineSystem = "auto";

    @Option(names = "--fold-inline-system", hidden = true, description = "The same as --inline-system fold.")
    public boolean foldInlineSystem;

    /** {@code --inline-system}, with the older {@code --fold-inline-system} meaning fold. */
    public InlineSystem inlineSystem() {
        return foldInlineSystem ? InlineSystem.FOLD : InlineSystem.parse(inlineSystem);
    }

    @Option(
            names = "--tool-format",
            paramLabel = "NAME",
            description =
                    "For model servers that return tool calls as raw text (no tool-call parser, e.g. vLLM without "
                            + "--enable-auto-tool-choice): the format to read them in: "
                            + "hermes, qwen3_coder, llama3_json, mistral, "
                            + "harmony, glm, deepseek_v3, kimi_k2, minimax_m2; none reads "
                            + "only <think> tags. The embedded engine "
                            + "reads its template's own format. Default: ${DEFAULT-VALUE}.")
    public String toolFormat = "none";

    /** {@code --tool-format} as a syntax. */
    public dev.anyclaude.toolcall.ToolCallSyntax toolFormat() {
        try {
            return dev.anyclaude.toolcall.ToolCallSyntax.valueOf(
                    toolFormat.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--tool-format: " + toolFormat + " (expected one of: "
                    + java.util.Arrays.stream(dev.anyclaude.toolcall.ToolCallSyntax.values())
                            .map(v -> v.name().toLowerCase(java.util.Locale.ROOT))
                            .collect(java.util.stream.Collectors.joining(", "))
                    + ")");
        }
    }

    @Option(
            names = "--no-normalize",
            description = "Do not normalize prompts (keeps Claude Code's billing "
                    + "header): only to measure what normalization saves.")
    public boolean noNormalize;

    @Option(
            names = "--max-body-bytes",
            paramLabel = "N",
            description = "Largest request body accepted. Default: ${DEFAULT-VALUE}.")
    public long maxBodyBytes = 33554432L;

    @Option(
            names = "--upstream-timeout",
            paramLabel = "SECONDS",
            description = "How long to wait for the model server to start answering. Default: ${DEFAULT-VALUE}.")
    public long upstreamTimeoutSeconds = 600L;

    @Option(
            names = "--ping-seconds",
            paramLabel = "S",
            description = "Send an SSE ping after this many idle seconds while the "
                    + "model is prefilling. Default: ${DEFAULT-VALUE}.")
    public long pingSeconds = 5L;

    @Option(
            names = "--response-cache",
            paramLabel = "POLICY",
            description = "Exact response cache (L2): deterministic (requests with "
                    + "temperature 0 or unset), always, or off. Default: "
                    + "${DEFAULT-VALUE}. Per request: 'cache-control: no-cache' "
                    + "skips the lookup, 'no-store' the storing.")
    public String responseCache = "deterministic";

    @Option(
            names = "--response-cache-bytes",
            paramLabel = "BYTES",
            description = "Memory bound of the response cache. Default: ${DEFAULT-VALUE} (128 MiB).")
    public long responseCacheBytes = 134217728L;

    @Option(
            names = "--response-cache-ttl",
            paramLabel = "SECONDS",
            description = "How long a cached response lives. Default: ${DEFAULT-VALUE}.")
    public long responseCacheTtlSeconds = 3600L;

    @Option(
            names = "--redis",
            paramLabel = "URI",
            description = "Shared response-cache tier for several gateways, e.g. redis://127.0.0.1:6379/0.")
    public String redis;

    @Option(
            names = "--slots",
            paramLabel = "N",
            description = "Embedded: number of KV slots (prefixes kept warm at once). Default: ${DEFAULT-VALUE}.")
    public int slots = 4;

    @Option(names = "--threads", paramLabel = "N", description = "Embedded: CPU threads per slot (0: all cores).")
    public int threads = 0;

    @Option(
            names = "--llama-lib",
            paramLabel = "DIR",
            description =
                    "Embedded: use the libllama/libggml in DIR (your own build or a package manager's) instead of the"
                            + " pinned llama.cpp v0.5.0 libraries fetched once from npm. "
                            + "Must be release v0.5.0; anything else is refused.")
    public Path llamaLib;

    @Option(
            names = "--gpu",
            paramLabel = "auto|cuda|vulkan|metal|none",
            description =
                    "Embedded: accelerator, which picks the npm package of llama.cpp's libraries. auto: CUDA where an"
                            + " NVIDIA driver is present, Metal on Apple silicon, else the "
                            + "CPU. Default: ${DEFAULT-VALUE}.")
    public String gpu = "auto";

    @Option(
            names = "--gpu-layers",
            paramLabel = "N|all",
            description = "Embedded: layers offloaded to the accelerator. Default: ${DEFAULT-VALUE}.")
    public String gpuLayers = "all";

    @Option(
            names = "--flash-attn",
            paramLabel = "on|off|auto",
            description =
                    "Embedded: flash attention (auto: where llama.cpp supports it, as llama-server). off makes output"
                            + " independent of how a prompt was split between turns. Default: ${DEFAULT-VALUE}.")
    public String flashAttn = "auto";

    @Option(
            names = "--kv-type",
            paramLabel = "f16|q8_0|q4_0",
            description = "Embedded: element type of the KV cache; q8_0 halves its "
                    + "memory (needs flash attention). Default: ${DEFAULT-VALUE}.")
    public String kvType = "f16";

    @Option(
            names = "--state-ram-bytes",
            paramLabel = "BYTES",
            description = "Embedded: memory for saved slot states (a prefix's KV, kept "
                    + "when its slot is given to another prefix). Default: ${DEFAULT-VALUE} (1 GiB).")
    public long stateRamBytes = 1073741824L;

    @Option(
            names = "--state-disk-bytes",
            paramLabel = "BYTES",
            description = "Embedded: disk for saved slot states spilled from memory; 0 "
                    + "for none. Default: ${DEFAULT-VALUE} (8 GiB).")
    public long stateDiskBytes = 8589934592L;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description =
                    "Embedded: where spilled slot states go. Default: a private directory under ~/.cache/anyclaude.")
    public java.nio.file.Path stateDir;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML file of option defaults (keys are option names without "
                    + "dashes). Default: ./anyclaude.yaml, then ~/.config/anyclaude/config.yaml.")
    public Path config;

    @Option(
            names = "--launch",
            paramLabel = "SERVER",
            description = "Start and supervise a model server, then use it as the "
                    + "upstream: llama-server, mlx, vllm or ollama. "
                    + "Uses --model, --ctx and (llama-server --parallel) --slots.")
    public String launch;

    @Option(
            names = "--server-bin",
            paramLabel = "PATH",
            description = "The model server executable for --launch. Default: "
                    + "llama-server, mlx_lm.server, vllm or ollama on PATH.")
    public String serverBin;

    @Option(
            names = "--server-arg",
            paramLabel = "ARG",
            split = "\\x00",
            hideParamSyntax = true,
            description = "Extra argument for the launched server, passed unchanged after anyclaude's own (repeatable, "
                    + "e.g. --server-arg=--flash-attn --server-arg=on). In a config file: a list.")
    public List<String> serverArgs = new ArrayList<>();

    @Option(
            names = "--server-port",
            paramLabel = "N",
            description = "Port for the launched server; 0 picks a free loopback port. Default: ${DEFAULT-VALUE}.")
    public int serverPort = 0;

    @Option(
            names = "--server-log",
            paramLabel = "FILE",
            description = "The launched server's log. Default: ~/.local/state/anyclaude/<server>.log.")
    public Path serverLog;

    @Option(
            names = "--server-ready-timeout",
            paramLabel = "SECONDS",
            description = "How long the launched server may take to load its model. Default: ${DEFAULT-VALUE}.")
    public long serverReadyTimeoutSeconds = 900L;

    @Option(
            names = "--tool-parser",
            paramLabel = "NAME",
            description = "vLLM's --tool-call-parser for --launch vllm. Default: "
                    + "guessed from the model name (qwen3_coder, hermes, llama3_json, mistral, ...).")
    public String toolParser;

    @Option(
            names = "--slot-dir",
            paramLabel = "DIR",
            description = "llama-server's --slot-save-path for --launch (saved KV "
                    + "slots; files of tens of MB each). Default: ~/.cache/anyclaude/slots.")
    public Path slotDir;
    // Operations: security, request log, debugging, memory monitor, circuit breaker.

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            description = "Require this key from clients (x-api-key or Authorization: "
                    + "Bearer) on every route but /health and /ready. Required to "
                    + "listen on a non-loopback address.")
    public String apiKey;

    @Option(
            names = "--api-key-file",
            paramLabel = "FILE",
            description =
                    "Read the client API key from the first line of this file (keeps it out of the process list).")
    public Path apiKeyFile;

    @Option(
            names = "--request-log",
            paramLabel = "FILE",
            description = "Append one JSON line per request (ids, models, outcome, "
                    + "tokens, timings; no prompt text) to this file.")
    public Path requestLog;

    @Option(
            names = "--log-bodies",
            description =
                    "Also put the request and the response in each --request-log line (they contain prompt text).")
    public boolean logBodies;

    @Option(
            names = "--debug",
            paramLabel = "N",
            description = "Debug output (also ANYCLAUDE_DEBUG): 1 request summaries and "
                    + "cache decisions, 2 also the requests sent to the backend and "
                    + "a file per failed request, 3 also every stream event. Default: ${DEFAULT-VALUE}.")
    public int debug = 0;

    @Option(
            names = "--debug-dir",
            paramLabel = "DIR",
            description = "Where --debug 2+ writes failed requests. Default: <tmp>/anyclaude-debug.")
    public Path debugDir;

    @Option(
            names = "--memory-warning",
            paramLabel = "PCT",
            description = "Memory use (heap after GC, system, or a budgeted source) at "
                    + "which the response cache is shrunk. Default: ${DEFAULT-VALUE}.")
    public int memoryWarning = 85;

    @Option(
            names = "--memory-critical",
            paramLabel = "PCT",
            description = "Memory use at which saved KV states are dropped and idle "
                    + "slots erased as well. Default: ${DEFAULT-VALUE}.")
    public int memoryCritical = 95;

    @Option(
            names = "--memory-check-seconds",
            paramLabel = "S",
            description = "How often system and process memory are read (heap crossings "
                    + "are notified at once). Default: ${DEFAULT-VALUE}.")
    public long memoryCheckSeconds = 5;

    @Option(
            names = "--breaker-failures",
            paramLabel = "N",
            description = "Consecutive unreachable/timeout/overloaded backend failures "
                    + "that open the circuit (0: never). Default: ${DEFAULT-VALUE}.")
    public int breakerFailures = 5;

    @Option(
            names = "--breaker-cooldown",
            paramLabel = "SECONDS",
            description = "How long an open circuit answers overloaded_error before one "
                    + "request probes the backend again. Default: ${DEFAULT-VALUE}.")
    public long breakerCooldownSeconds = 10;

    @Option(
            names = "--warm-file",
            paramLabel = "FILE",
            description = "A saved /v1/messages request body (e.g. one of Claude "
                    + "Code's) prefilled once at start-up, so the first request "
                    + "with its system prompt and tools finds them warm.")
    public Path warmFile;
}
