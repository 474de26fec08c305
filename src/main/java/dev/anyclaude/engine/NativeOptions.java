package dev.anyclaude.engine;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How the engine's native side is set up: which libraries, which accelerator, how much of the model
 * goes to it, and the attention and KV-cache kernels.
 *
 * @param llamaLib a directory with a libllama of the pinned release the user built or installed
 *     ({@code --llama-lib}); null for the npm package of that release
 * @param gpu the accelerator asked for ({@code --gpu})
 * @param gpuLayers layers offloaded to the accelerator; -1 for all ({@code --gpu-layers N|all})
 * @param flashAttention {@code --flash-attn on|off|auto}
 * @param kvType the KV cache's element type ({@code --kv-type f16|q8_0|q4_0}); the quantized ones need
 *     flash attention
 */
public record NativeOptions(
        Path llamaLib, Accelerator gpu, int gpuLayers, FlashAttention flashAttention, KvType kvType) {

    public NativeOptions {
        Objects.requireNonNull(gpu, "gpu");
        Objects.requireNonNull(flashAttention, "flashAttention");
        Objects.requireNonNull(kvType, "kvType");
        if (gpuLayers < -1) {
            throw new IllegalArgumentException("--gpu-layers: " + gpuLayers + " (expected: 0 or more, or all)");
        }
        if (kvType != KvType.F16 && flashAttention == FlashAttention.OFF) {
            throw new IllegalArgumentException("--kv-type " + kvType.flag() + " needs flash attention"
                    + " (expected: --flash-attn on or auto with a quantized KV cache, or --kv-type f16)");
        }
    }

    /** The pinned libraries from npm, the accelerator chosen automatically, every layer on it, f16 KV. */
    public static NativeOptions defaults() {
        return new NativeOptions(null, Accelerator.AUTO, -1, FlashAttention.AUTO, KvType.F16);
    }

    public NativeOptions withLlamaLib(Path v) {
        return new NativeOptions(v, gpu, gpuLayers, flashAttention, kvType);
    }

    /** {@code --gpu-layers}: a count, or {@code all}. */
    public static int parseGpuLayers(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("all")) {
            return -1;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // Falls through to the message below.
        }
        throw new IllegalArgumentException("--gpu-layers: '" + value + "' (expected: a count of 0 or more, or all)");
    }

    /** {@code --flash-attn}: llama.cpp's {@code llama_flash_attn_type}. */
    public enum FlashAttention {
        AUTO(-1),
        OFF(0),
        ON(1);

        final int nativeValue;

        FlashAttention(int nativeValue) {
            this.nativeValue = nativeValue;
        }

        public static FlashAttention parse(String value) {
            return NativeOptions.parse(FlashAttention.class, "--flash-attn", value);
        }

        public String flag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code --kv-type}: the ggml type of the K and V caches. */
    public enum KvType {
        F16(1),
        Q8_0(8),
        Q4_0(2);

        final int ggmlType;

        KvType(int ggmlType) {
            this.ggmlType = ggmlType;
        }

        public static KvType parse(String value) {
            return NativeOptions.parse(KvType.class, "--kv-type", value);
        }

        public String flag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String option, String value) {
        String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(v)) {
                return e;
            }
        }
        throw new IllegalArgumentException(option + ": '" + value + "' (expected one of: "
                + Arrays.stream(type.getEnumConstants())
                        .map(e -> e.name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", "))
                + ")");
    }
}
