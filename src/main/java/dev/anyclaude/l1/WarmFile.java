package dev.anyclaude.l1;

import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.prefix.Normalizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code --warm-file}: a saved {@code /v1/messages} request body, read as the gateway would receive it. */
public final class WarmFile {
    private WarmFile() {}

    /** The HTTP edge's parser of a request body (validation included), handed down by the wiring. */
    @FunctionalInterface
    public interface Parser {
        MessagesRequest parse(byte[] body) throws GatewayException;
    }

    /**
     * Reads, validates and normalizes the request in {@code file}.
     *
     * @throws IllegalArgumentException when the file cannot be read or is not a valid Messages request
     */
    public static MessagesRequest read(Path file, Parser parser, Normalizer normalizer) {
        byte[] body;
        try {
            body = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("--warm-file: cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return normalizer.normalize(parser.parse(body));
        } catch (GatewayException e) {
            throw new IllegalArgumentException(
                    "--warm-file: " + file + " is not a Messages request: " + e.getMessage()
                            + " (expected: a saved POST /v1/messages body)",
                    e);
        }
    }
}
