package dev.anyclaude.messages;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The gateway's one configured Jackson {@link ObjectMapper}, created in {@code Gateway} and passed in. */
public final class Json {
    private Json() {}

    public static ObjectMapper create() {
        JsonFactory factory = JsonFactory.builder()
                // Claude Code requests carry ~6k-char strings and large tool results; allow big documents.
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(256 * 1024 * 1024)
                        .maxNestingDepth(500)
                        .build())
                .build();
        return new ObjectMapper(factory).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }
}
