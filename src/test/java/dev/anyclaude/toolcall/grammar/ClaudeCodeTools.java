package dev.anyclaude.toolcall.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Real tool schemas from a recorded Claude Code request (fixture {@code claude-code/p-tool-bash-read}): Bash, Read,
 * Edit, and TaskUpdate (the recordings have no TodoWrite; TaskUpdate is its successor, with enum / const / anyOf,
 * arrays and a free-form object).
 */
public final class ClaudeCodeTools {
    public static final String FIXTURE = "/claude-code/p-tool-bash-read/02-POST-v1_messages.body.json";

    private ClaudeCodeTools() {}

    /** Tool name → input schema, for {@code names} in that order. */
    public static Map<String, JsonNode> schemas(String... names) {
        JsonNode body;
        try (InputStream in = ClaudeCodeTools.class.getResourceAsStream(FIXTURE)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + FIXTURE);
            }
            body = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String name : names) {
            for (JsonNode tool : body.get("tools")) {
                if (tool.path("name").asText().equals(name)) {
                    out.put(name, tool.get("input_schema"));
                }
            }
            if (!out.containsKey(name)) {
                throw new IllegalStateException("no tool " + name + " in " + FIXTURE);
            }
        }
        return out;
    }

    /** Bash, Read, Edit, TaskUpdate. */
    public static Map<String, JsonNode> standard() {
        return schemas("Bash", "Read", "Edit", "TaskUpdate");
    }
}
