package dev.anyclaude.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Where a load phase sends its requests and how it knows an answer was whole: a server on a loopback port,
 * the prepared request bytes, and the byte strings every good response body contains.
 *
 * @param name what the row is called in the report (direct, anyclaude, ccr)
 * @param port the server's loopback port
 * @param stream whether the request asks for SSE
 * @param request the whole HTTP request, head and body
 * @param bodyBytes the size of the request body
 * @param mustContain byte strings a complete, correct response body contains
 */
record LoadTarget(String name, int port, boolean stream, byte[] request, int bodyBytes, List<byte[]> mustContain) {

    /**
     * An Anthropic Messages request to a gateway (anyclaude, claude-code-router). Unless {@code cacheHits},
     * it carries {@code Cache-Control: no-cache}: the bench resends one body, and without the header every
     * request after the first would be an exact-response-cache hit. With it the gateway still computes the
     * cache key and stores the answer, so the figures are those of a real (always new) Claude Code turn.
     */
    static LoadTarget messages(String name, int port, boolean stream, byte[] body, boolean cacheHits) {
        String head = "POST /v1/messages?beta=true HTTP/1.1\r\n"
                + (cacheHits ? "" : "Cache-Control: no-cache\r\n")
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept: " + (stream ? "text/event-stream" : "application/json") + "\r\n"
                + "anthropic-version: 2023-06-01\r\n"
                + "anthropic-beta: claude-code-20250219,interleaved-thinking-2025-05-14\r\n"
                + "x-api-key: bench\r\n"
                + "x-claude-code-session-id: 5b0c7f9e-bench-4d64-b28d-927db1ba9e7c\r\n"
                + "User-Agent: anyclaude-bench\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        List<byte[]> must = stream
                ? List.of(ascii("How can I help"), ascii("event: message_stop"))
                : List.of(ascii("How can I help"), ascii("\"stop_reason\":\"end_turn\""));
        return new LoadTarget(name, port, stream, join(head, body), body.length, must);
    }

    /** An OpenAI chat request straight to the model server: the baseline. */
    static LoadTarget chat(String name, int port, boolean stream, byte[] body) {
        String head = "POST /v1/chat/completions HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept: " + (stream ? "text/event-stream" : "application/json") + "\r\n"
                + "User-Agent: anyclaude-bench\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        List<byte[]> must = stream
                ? List.of(ascii("How can I help"), ascii("data: [DONE]"))
                : List.of(ascii("How can I help"), ascii("\"finish_reason\":\"stop\""));
        return new LoadTarget(name, port, stream, join(head, body), body.length, must);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] join(String head, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + body.length);
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }
}
