package dev.anyclaude.bench;

import java.util.Map;

/**
 * One request of an agent replay, as Claude Code would send it: {@code POST /v1/messages?beta=true} with
 * these headers and this compact JSON body.
 *
 * @param agent which conversation stream it belongs to: {@code main} or {@code sub}
 * @param turn its turn in that stream, from 1
 * @param headers Claude Code's headers (without the transport ones an HTTP client sets itself)
 * @param body the JSON body
 */
public record AgentReplayRequest(String agent, int turn, Map<String, String> headers, String body) {

    public AgentReplayRequest {
        headers = Map.copyOf(headers);
    }

    /** The body's size in bytes, as sent. */
    public int bytes() {
        return body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
}
