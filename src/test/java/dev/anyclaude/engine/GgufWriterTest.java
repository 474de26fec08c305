package dev.anyclaude.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
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
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no temporary file left behind")
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
        assertThat(m.tokenize("Hi there"))
                .containsExactly(1, 'H' + 3, 'i' + 3, 259, 't' + 3, 'h' + 3, 'e' + 3, 'r' + 3, 'e' + 3);
        assertThat(m.detokenize(m.tokenize("caf\u00e9 \u4e2d"))).isEqualTo("<s>caf\u00e9 \u4e2d");
        assertThat(m.isEndOfGeneration(2)).isTrue();
    }

    @Test
    void refusesShapesLlamaCppCannotLoad() {
        assertThatThrownBy(() -> new TinyLlamaSpec(100, 1, 1, 1, 32, 16, 1))
                .hasMessage("embd: 100 (expected: a positive multiple of 32)");
        assertThatThrownBy(() -> new TinyLlamaSpec(64, 1, 3, 1, 32, 16, 1)).hasMessageStartingWith("heads: 3");
        assertThatThrownBy(() -> new TinyLlamaSpec(64, 1, 64, 64, 32, 16, 1))
                .hasMessageStartingWith("heads: 64 (expected: embd / heads to be even");
        assertThatThrownBy(() -> new TinyLlamaSpec(64, 1, 4, 3, 32, 16, 1)).hasMessageStartingWith("kv-heads: 3");
        assertThatThrownBy(() -> new TinyLlamaSpec(64, 1, 4, 4, 33, 16, 1)).hasMessageStartingWith("ff: 33");
        assertThatThrownBy(() -> new TinyLlamaSpec(64, 0, 4, 4, 32, 16, 1)).hasMessageStartingWith("layers: 0");
        assertThatThrownBy(() -> new TinyLlamaSpec(64, 1, 4, 4, 32, 0, 1)).hasMessageStartingWith("ctx: 0");
    }

    private static final List<String> LLAMA_BLOCK = List.of(
            "attn_norm.weight",
            "attn_q.weight",
            "attn_k.weight",
            "attn_v.weight",
            "attn_output.weight",
            "ffn_norm.weight",
            "ffn_gate.weight",
            "ffn_up.weight",
            "ffn_down.weight");
    private static final TinyLlamaSpec SHAPE = new TinyLlamaSpec(64, 2, 2, 1, 96, 128, 3);

    @Test
    void llamaModelsKeepTheBytesTheyHadBeforeThereWereOtherArchitectures() throws Exception {
        Path file = dir.resolve("small.gguf");
        GgufWriter.writeTinyLlama(TinyLlamaSpec.small(1), file);
        assertThat(sha256(file)).isEqualTo("842abbf5a1758b0193492145082164aba0e1c6ef4266239287b7d7726874b1d4");
        Path same = dir.resolve("same.gguf");
        GgufWriter.writeTiny(TinyLlamaSpec.small(1), Architecture.LLAMA, null, same);
        assertThat(Files.readAllBytes(same)).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void writesQwen3AsLlamaWithAnRmsNormOverEachQueryAndKeyHead() throws IOException {
        Path file = dir.resolve("qwen3.gguf");
        GgufWriter.writeTiny(SHAPE, new Architecture.Qwen3(), null, file);
        GgufContents gguf = GgufContents.read(file);
        assertThat(gguf.metadata())
                .containsEntry("general.architecture", "qwen3")
                .containsEntry("qwen3.embedding_length", 64L)
                .containsEntry("qwen3.block_count", 2L)
                .containsEntry("qwen3.feed_forward_length", 96L)
                .containsEntry("qwen3.attention.head_count", 2L)
                .containsEntry("qwen3.attention.head_count_kv", 1L)
                .containsEntry("qwen3.context_length", 128L)
                .containsEntry("qwen3.rope.dimension_count", 32L)
                .containsEntry("qwen3.attention.key_length", 32L)
                .containsEntry("qwen3.attention.value_length", 32L)
                .containsKey("qwen3.attention.layer_norm_rms_epsilon");
        assertThat(gguf.metadata().keySet())
                .as("no key of another architecture")
                .allMatch(k -> !k.startsWith("llama."));
        for (int i = 0; i < 2; i++) {
            assertThat(gguf.block(i))
                    .containsExactlyInAnyOrderElementsOf(
                            concat(LLAMA_BLOCK, List.of("attn_q_norm.weight", "attn_k_norm.weight")));
        }
        assertThat(gguf.tensor("blk.1.attn_q_norm.weight"))
                .isEqualTo(new GgufContents.TensorInfo("blk.1.attn_q_norm.weight", List.of(32L), 0));
        assertThat(gguf.tensor("blk.1.attn_k_norm.weight"))
                .isEqualTo(new GgufContents.TensorInfo("blk.1.attn_k_norm.weight", List.of(32L), 0));
        assertThat(gguf.tensor("blk.0.attn_q.weight").type()).as("Q8_0").isEqualTo(8);
        assertThat(gguf.tensors()).hasSize(3 + 11 * 2);
    }

    @Test
    void writesQwen3MoeWithARouterAndStackedExpertsInPlaceOfTheDenseFeedForward() throws IOException {
        Path file = dir.resolve("moe.gguf");
        GgufWriter.writeTiny(SHAPE, new Architecture.Qwen3Moe(6, 3, 64), null, file);
        GgufContents gguf = GgufContents.read(file);
        assertThat(gguf.metadata())
                .containsEntry("general.architecture", "qwen3moe")
                .containsEntry("qwen3moe.expert_count", 6L)
                .containsEntry("qwen3moe.expert_used_count", 3L)
                .containsEntry("qwen3moe.expert_feed_forward_length", 64L)
                .containsEntry("qwen3moe.embedding_length", 64L)
                .containsEntry("qwen3moe.attention.key_length", 32L);
        assertThat(gguf.block(0))
                .containsExactlyInAnyOrder(
                        "attn_norm.weight",
                        "attn_q.weight",
                        "attn_k.weight",
                        "attn_v.weight",
                        "attn_output.weight",
                        "attn_q_norm.weight",
                        "attn_k_norm.weight",
                        "ffn_norm.weight",
                        "ffn_gate_inp.weight",
                        "ffn_gate_exps.weight",
                        "ffn_up_exps.weight",
                        "ffn_down_exps.weight");
        assertThat(gguf.tensor("blk.0.ffn_gate_inp.weight").ne()).containsExactly(64L, 6L);
        assertThat(gguf.tensor("blk.0.ffn_gate_inp.weight").type())
                .as("F32, as llama-quantize leaves a router")
                .isZero();
        assertThat(gguf.tensor("blk.1.ffn_gate_exps.weight").ne()).containsExactly(64L, 64L, 6L);
        assertThat(gguf.tensor("blk.1.ffn_up_exps.weight").ne()).containsExactly(64L, 64L, 6L);
        assertThat(gguf.tensor("blk.1.ffn_down_exps.weight").ne()).containsExactly(64L, 64L, 6L);
        assertThat(gguf.tensor("blk.1.ffn_down_exps.weight").type()).as("Q8_0").isEqualTo(8);
        assertThat(gguf.tensors()).hasSize(3 + 12 * 2);
    }

    @Test
    void everyArchitectureWritesTheSameBytesForTheSameSpecAndOthersForAnotherSeed() throws IOException {
        for (Architecture arch :
                List.of(Architecture.LLAMA, new Architecture.Qwen3(), new Architecture.Qwen3Moe(4, 2, 64))) {
            Path a = dir.resolve(arch.ggufName() + "-a.gguf");
            Path b = dir.resolve(arch.ggufName() + "-b.gguf");
            Path c = dir.resolve(arch.ggufName() + "-c.gguf");
            GgufWriter.writeTiny(SHAPE, arch, "{{ '<|im_start|>' }}", a);
            GgufWriter.writeTiny(SHAPE, arch, "{{ '<|im_start|>' }}", b);
            GgufWriter.writeTiny(new TinyLlamaSpec(64, 2, 2, 1, 96, 128, 4), arch, "{{ '<|im_start|>' }}", c);
            assertThat(Files.readAllBytes(b)).as(arch.ggufName()).isEqualTo(Files.readAllBytes(a));
            assertThat(Files.readAllBytes(c))
                    .as(arch.ggufName())
                    .isNotEqualTo(Files.readAllBytes(a))
                    .hasSameSizeAs(Files.readAllBytes(a));
            assertThat(GgufContents.read(a).metadata())
                    .as(arch.ggufName())
                    .containsEntry(arch.ggufName() + ".vocab_size", 261L)
                    .containsEntry("tokenizer.chat_template", "{{ '<|im_start|>' }}");
        }
    }

    @Test
    void refusesExpertCountsLlamaCppCannotLoad() {
        assertThatThrownBy(() -> new Architecture.Qwen3Moe(0, 1, 64)).hasMessage("experts: 0 (expected: 1 to 1024)");
        assertThatThrownBy(() -> new Architecture.Qwen3Moe(1025, 1, 64))
                .hasMessage("experts: 1025 (expected: 1 to 1024)");
        assertThatThrownBy(() -> new Architecture.Qwen3Moe(4, 5, 64))
                .hasMessage("experts-used: 5 (expected: 1 to experts 4)");
        assertThatThrownBy(() -> new Architecture.Qwen3Moe(4, 0, 64))
                .hasMessage("experts-used: 0 (expected: 1 to experts 4)");
        assertThatThrownBy(() -> new Architecture.Qwen3Moe(4, 2, 48))
                .hasMessage("expert-ff: 48 (expected: a positive multiple of 32)");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
