package dev.anyclaude.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {

    @TempDir
    Path dir;

    @Test
    void writesTheSameBytesForTheSameSpecAndOthersForAnotherSeed() throws IOException {
        TinyLlamaSpec spec = new TinyLlamaSpec(64, 2, 2, 2, 96, 128, 3);
        GgufWriter.writeTinyLlama(spec, dir.resolve("a.gguf"));
        GgufWriter.writeTinyLlama(spec, dir.resolve("b.gguf"));
        GgufWriter.writeTinyLlama(new TinyLlamaSpec(64, 2, 2, 2, 96, 128, 4), dir.resolve("c.gguf"));
        byte[] a = Files.readAllBytes(dir.resolve("a.gguf"));
        assertThat(Files.readAllBytes(dir.resolve("b.gguf"))).isEqualTo(a);
        assertThat(Files.readAllBytes(dir.resolve("c.gguf"))).isNotEqualTo(a).hasSameSizeAs(a);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left behind")
                    .containsExactlyInAnyOrder("a.gguf", "b.gguf", "c.gguf");
        }
    }

    @Test
    void writesAGgufV3HeaderWithEveryTensorAlignedData() throws IOException {
        TinyLlamaSpec spec = new TinyLlamaSpec(64, 3, 2, 1, 96, 128, 3);
        Path file = dir.resolve("m.gguf");
        GgufWriter.writeTinyLlama(spec, file);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(new byte[] {b.get(), b.get(), b.get(), b.get()})).isEqualTo("GGUF");
        assertThat(b.getInt()).isEqualTo(3);
        assertThat(b.getLong()).as("tensors").isEqualTo(3 + 9 * 3);
        assertThat(b.getLong()).as("metadata keys").isEqualTo(24);
        assertThat(string(b)).isEqualTo("general.architecture");
        assertThat(b.getInt()).as("string type").isEqualTo(8);
        assertThat(string(b)).isEqualTo("llama");
        long q8 = (64L * 260 / 32) * 34;
        assertThat(Files.size(file) % 32).isZero();
        assertThat(Files.size(file)).isGreaterThan(2 * q8);
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[Math.toIntExact(b.getLong())];
        b.get(bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void generatesAModelLlamaCppLoadsWithAByteVocabulary() {
        NativeModel m = TestModels.nativeTiny();
        TinyLlamaSpec s = TestModels.TINY;
        assertThat(m.nVocab).isEqualTo(260);
        assertThat(m.nEmbd).isEqualTo(s.embd());
        assertThat(m.nLayer).isEqualTo(s.layers());
        assertThat(m.nHead).isEqualTo(s.heads());
        assertThat(m.nHeadKv).isEqualTo(s.kvHeads());
        assertThat(m.nCtxTrain).isEqualTo(s.ctx());
        assertThat(m.chatTemplate).isNull();
        assertThat(m.tokenize("Hi there")).containsExactly(1, 'H' + 3, 'i' + 3, 259, 't' + 3, 'h' + 3, 'e' + 3, 'r' + 3, 'e' + 3);
        assertThat(m.detokenize(m.tokenize("caf\u00e9 \u4e2d"))).isEqualTo("<s>caf\u00e9 \u4e2d");
        assertThat(m.isEndOfGeneration(2)).isTrue();
    }

    @Test
    void refusesShapesLlamaCppCannotLoad() {
        assertThatThrownBy(() -> new TinyLlamaSpec(100, 1, 1, 1, 32, 16, 1)).hasMessage("embd: 100 (expected: a positive multiple of 32)");
        assertThatThrownBy(() -> new TinyLlamaSpec(64, 1, 3, 1, 32, 16, 1)).hasMessageStartingWith("heads: 3");
        assertThatThrownBy(() -> new TinyLlamaSpec(64, 1, 64, 64, 32, 16, 1)).hasMessageStartingWith("heads: 64 (expected: embd / heads to be even");
        assertThatThrownBy(() -> new TinyLlamaSpec(64, 1, 4, 3, 32, 16, 1)).hasMessageStartingWith("kv-heads: 3");
        assertThatThrownBy(() -> new TinyLlamaSpec(64, 1, 4, 4, 33, 16, 1)).hasMessageStartingWith("ff: 33");
        assertThatThrownBy(() -> new TinyLlamaSpec(64, 0, 4, 4, 32, 16, 1)).hasMessageStartingWith("layers: 0");
        assertThatThrownBy(() -> new TinyLlamaSpec(64, 1, 4, 4, 32, 0, 1)).hasMessageStartingWith("ctx: 0");
    }
}
