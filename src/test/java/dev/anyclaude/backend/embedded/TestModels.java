package dev.anyclaude.backend.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tiny generated models the embedded tests run on: written once into {@code target/test-models/}
 * (reused by later runs and JVMs, since the same spec always gives the same bytes).
 */
public final class TestModels {

    /** 256 wide, 4 layers: loads in well under a second, prefills a few thousand tokens per second. */
    static final TinyLlamaSpec TINY = new TinyLlamaSpec(256, 4, 4, 2, 704, 16384, 1);

    private TestModels() {}

    public static synchronized Path tiny() {
        Path file = Path.of("target", "test-models", "tiny-256x4-gqa2-seed1.gguf").toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            try {
                GgufWriter.writeTinyLlama(TINY, file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /** The process-wide native model, loaded from {@link #tiny()}. */
    static NativeModel nativeTiny() {
        return NativeModel.load(null, tiny(), null);
    }
}
