package dev.anyclaude.cli;

import dev.anyclaude.backend.launch.ServerCommand;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment Claude Code runs with against the gateway: where to send requests, which model names to
 * send, and the settings that keep its prompt cacheable and its requests within the local model's context.
 *
 * <p>Model variables carry the backend's own names rather than Claude names: Claude Code sizes its context
 * window from {@code CLAUDE_CODE_MAX_CONTEXT_TOKENS} only for model names that do not start with
 * {@code claude-}, and it shows the name in its UI. {@code DISABLE_PROMPT_CACHING} is deliberately left alone:
 * the gateway ignores {@code cache_control} when rendering, and the flag changes nothing but the wire.
 *
 * <p>The key goes in {@code ANTHROPIC_AUTH_TOKEN} (sent as {@code Authorization: Bearer}), the variable Claude
 * Code documents for gateways: with {@code ANTHROPIC_API_KEY} instead, interactive Claude Code first asks
 * whether to use "a custom API key" with "No" preselected, and a first run on a new profile checks that
 * api.anthropic.com is reachable; with a token it does neither, so it also works offline.
 */
public record ClaudeEnvironment(Map<String, String> variables) {

    /** The token Claude Code sends; the gateway does not check it, but Claude Code needs one to skip its login. */
    static final String DUMMY_KEY = "anyclaude-local";

    /**
     * Variables that would send Claude Code somewhere else or authenticate differently: removed from its environment.
     */
    static final List<String> CONFLICTING = List.of(
            "ANTHROPIC_API_KEY",
            "CLAUDE_CODE_OAUTH_TOKEN",
            "CLAUDE_CODE_USE_BEDROCK",
            "CLAUDE_CODE_USE_VERTEX",
            "CLAUDE_CODE_USE_FOUNDRY",
            "CLAUDE_CODE_API_BASE_URL",
            "CLAUDE_CODE_USE_GATEWAY",
            "ANTHROPIC_UNIX_SOCKET");

    /** Below this context Claude Code's own prompt (~20k tokens of system prompt and tools) leaves little room. */
    static final long SMALL_CONTEXT = 40_000;

    public ClaudeEnvironment {
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    }

    /**
     * @param baseUrl the gateway's URL
     * @param token the key Claude Code sends (the gateway key, or a dummy)
     * @param mainModel the backend model for ordinary requests
     * @param smallModel the backend model for the small/fast (haiku) requests
     * @param contextTokens the backend's context size, 0 when unknown
     * @param upstreamTimeout how long the gateway waits for the backend
     */
    static ClaudeEnvironment of(
            String baseUrl,
            String token,
            String mainModel,
            String smallModel,
            long contextTokens,
            Duration upstreamTimeout) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("ANTHROPIC_BASE_URL", baseUrl);
        v.put("ANTHROPIC_AUTH_TOKEN", token);
        String main = mainModel != null ? mainModel : "local";
        String small = smallModel != null ? smallModel : main;
        v.put("ANTHROPIC_MODEL", main);
        v.put("ANTHROPIC_DEFAULT_OPUS_MODEL", main);
        v.put("ANTHROPIC_DEFAULT_SONNET_MODEL", main);
        v.put("ANTHROPIC_DEFAULT_HAIKU_MODEL", small);
        v.put("ANTHROPIC_SMALL_FAST_MODEL", small);
        // Its per-prompt billing header as system[0] would break every prefix cache; the gateway strips it too.
        v.put("CLAUDE_CODE_ATTRIBUTION_HEADER", "0");
        // No telemetry, error reporting or update checks: there is no network to reach, and waiting on it is slow.
        v.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        if (contextTokens > 0) {
            v.put("CLAUDE_CODE_MAX_CONTEXT_TOKENS", Long.toString(contextTokens));
            v.put("CLAUDE_CODE_MAX_OUTPUT_TOKENS", Long.toString(ServerCommand.maxOutputTokens(contextTokens)));
        }
        // Claude Code 2.1.332 defers 9 of its tools behind ToolSearch through gateways too; each tool it loads
        // joins the tool list near the start of the prompt and re-prefills the conversation after it, and costs
        // the model a turn. All tools up front: the tool list never changes, its ~30 KB more are prefilled once
        // and shared by every session (docs/l1.md, "Tools loaded on demand"). A value the user set wins.
        v.put("ENABLE_TOOL_SEARCH", "false");
        // A cold local prefill of Claude Code's prompt can take minutes; keep the client waiting as long as the
        // gateway.
        long timeoutMs = Math.max(600_000, upstreamTimeout.plusSeconds(60).toMillis());
        v.put("API_TIMEOUT_MS", Long.toString(timeoutMs));
        return new ClaudeEnvironment(v);
    }

    /** Our settings that a value in the user's own environment overrides. */
    static final List<String> USER_WINS = List.of("ENABLE_TOOL_SEARCH");

    /** The child environment: the given one without conflicting variables, plus ours. */
    Map<String, String> applyTo(Map<String, String> inherited) {
        Map<String, String> env = new LinkedHashMap<>(inherited);
        CONFLICTING.forEach(env::remove);
        variables.forEach((k, val) -> {
            if (!USER_WINS.contains(k) || !inherited.containsKey(k)) {
                env.put(k, val);
            }
        });
        return env;
    }

    /**
     * POSIX shell lines: {@code unset} for conflicting variables that are set, then one {@code export} per variable.
     */
    String shell(Map<String, String> current) {
        StringBuilder sb = new StringBuilder();
        List<String> set = CONFLICTING.stream().filter(current::containsKey).toList();
        if (!set.isEmpty()) {
            sb.append("unset ").append(String.join(" ", set)).append('\n');
        }
        variables.forEach((k, val) -> {
            if (!USER_WINS.contains(k) || !current.containsKey(k)) {
                sb.append("export ")
                        .append(k)
                        .append('=')
                        .append(ServerCommand.shellQuote(val))
                        .append('\n');
            }
        });
        return sb.toString();
    }

    /** A warning when the context is too small for Claude Code to work well, or null. */
    static String contextWarning(long contextTokens) {
        if (contextTokens <= 0 || contextTokens >= SMALL_CONTEXT) {
            return null;
        }
        return "the backend's context is " + contextTokens + " tokens; Claude Code's system prompt and tool definitions"
                + " alone take about 20,000, so it will compact constantly or fail. Use 65536 or more (--ctx).";
    }
}
