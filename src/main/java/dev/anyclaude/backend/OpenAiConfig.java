package dev.anyclaude.backend;

import dev.anyclaude.toolcall.ToolCallSyntax;
import java.net.URI;
import java.time.Duration;

/**
 * Settings of an OpenAI-compatible upstream.
 *
 * @param baseUrl the server's {@code /v1} base (normalized: ends in {@code /v1}, no trailing slash)
 * @param apiKey sent as {@code Authorization: Bearer}, or null
 * @param flavor the server kind, or AUTO to probe
 * @param contextTokens context size override, 0 to learn it from the server
 * @param connectTimeout TCP connect bound
 * @param responseTimeout bound on waiting for the response headers (prefill can be long)
 * @param inlineSystem what to do with mid-conversation system messages: learn, keep or fold them
 * @param textToolCalls the format tool calls are read in when the server returns them as text ({@code NONE}:
 *     only {@code <think>} tags are read)
 */
public record OpenAiConfig(
        URI baseUrl,
        String apiKey,
        Flavor flavor,
        long contextTokens,
        Duration connectTimeout,
        Duration responseTimeout,
        InlineSystem inlineSystem,
        ToolCallSyntax textToolCalls) {

    public OpenAiConfig(
            URI baseUrl,
            String apiKey,
            Flavor flavor,
            long contextTokens,
            Duration connectTimeout,
            Duration responseTimeout,
            InlineSystem inlineSystem) {
        this(
                baseUrl,
                apiKey,
                flavor,
                contextTokens,
                connectTimeout,
                responseTimeout,
                inlineSystem,
                ToolCallSyntax.NONE);
    }

    /** Accepts {@code http://host:port}, {@code http://host:port/}, {@code http://host:port/v1[/]}. */
    public static URI normalizeBase(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        if (!u.endsWith("/v1")) {
            u = u + "/v1";
        }
        URI uri = URI.create(u);
        if (uri.getScheme() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "--upstream: " + url + " (expected: an http(s) URL such as http://127.0.0.1:8080)");
        }
        return uri;
    }

    /** The server root (the base without {@code /v1}), where llama.cpp keeps /props, /tokenize, /slots. */
    public URI root() {
        String s = baseUrl.toString();
        return URI.create(s.substring(0, s.length() - 3));
    }
}
