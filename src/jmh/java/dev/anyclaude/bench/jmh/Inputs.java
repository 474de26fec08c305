package dev.anyclaude.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.messages.Json;
import dev.anyclaude.messages.MessagesRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmarks' inputs: the project's Claude Code captures (compacted as a client sends them) and recorded streams.
 */
public final class Inputs {
    /** The gateway's one configured mapper, as {@code Main} creates it. */
    public static final ObjectMapper MAPPER = Json.create();

    private Inputs() {}

    /**
     * The project's Claude Code captures: system property {@code anyclaude.fixtures}, else {@code
     * src/test/resources/claude-code}.
     */
    static Path captures() {
        return Path.of(System.getProperty("anyclaude.fixtures", "src/test/resources/claude-code"));
    }

    /** A capture's body, compact, e.g. {@code p-tool-bash-read/04}. */
    public static byte[] body(String capture) {
        Path file = captures().resolve(capture + "-POST-v1_messages.body.json");
        try {
            return MAPPER.writeValueAsBytes(MAPPER.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read " + file.toAbsolutePath() + " (set -Danyclaude.fixtures to the captures folder)", e);
        }
    }

    /** A capture, parsed. */
    public static MessagesRequest request(String capture) {
        return new RequestParser(MAPPER).parse(body(capture));
    }

    /** The {@code data:} payloads of a recorded OpenAI stream from the translation goldens (test resources). */
    static List<String> goldenStream(String testCase) {
        String name = "/translate/" + testCase + "/backend-stream.txt";
        try (InputStream in = Inputs.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + name);
            }
            return dataLines(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A typical answer as llama.cpp streams it: one chunk per token ({@code tokens} of them, ~4 characters
     * each), the finish and the usage chunk.
     */
    static List<String> tokenStream(int tokens) {
        String head = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"qwen\",";
        String[] words = {
            "The", " fix", " is", " to", " read", " the", " file", " once", ",", " then", " stream", " it", " back",
            " to", " the", " caller", "."
        };
        List<String> out = new ArrayList<>();
        out.add(head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                + "\"content\":null},\"finish_reason\":null}]}");
        for (int i = 0; i < tokens; i++) {
            out.add(head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + words[i % words.length]
                    + "\"},\"finish_reason\":null}]}");
        }
        out.add(head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
        out.add(head + "\"choices\":[],\"usage\":{\"prompt_tokens\":15000,\"completion_tokens\":" + tokens
                + ",\"total_tokens\":" + (15000 + tokens) + ",\"prompt_tokens_details\":{\"cached_tokens\":14800}}}");
        out.add("[DONE]");
        return out;
    }

    private static List<String> dataLines(String sse) {
        List<String> out = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data:")) {
                out.add(line.substring(5).strip());
            }
        }
        return out;
    }
}
