package dev.anyclaude.cli;

import dev.anyclaude.backend.launch.PinnedLlamaServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Jinja chat templates for generated models: a file of the user's, or one of the real templates of the pinned
 * llama.cpp release ({@code models/templates/}, kept by {@code scripts/llama-server.sh} beside its build).
 */
public final class ChatTemplates {
    private ChatTemplates() {}

    /**
     * The template {@code fileOrName} names: an existing file, else a template of the pinned release by name,
     * with or without {@code .jinja}.
     *
     * @throws IllegalArgumentException naming what was looked for
     */
    public static String read(String fileOrName) {
        Path file = Path.of(fileOrName);
        if (!Files.isRegularFile(file)) {
            Path dir = PinnedLlamaServer.templates();
            String name = fileOrName.endsWith(".jinja") ? fileOrName : fileOrName + ".jinja";
            file = dir.resolve(name);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(fileOrName + " (expected: a template file, or the name of one in "
                        + dir + " such as Qwen3-Coder; scripts/llama-server.sh puts them there)");
            }
        }
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
