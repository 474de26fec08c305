package dev.anyclaude.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a GGUF v3 file holds, read back independently of {@link GgufWriter}: its metadata in file order (scalars as
 * Java values, arrays as lists) and its tensor descriptions.
 */
record GgufContents(Map<String, Object> metadata, List<TensorInfo> tensors) {

    /** A tensor's name, dimensions (innermost first) and ggml type code. */
    record TensorInfo(String name, List<Long> ne, int type) {}

    static GgufContents read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        b.get(magic);
        if (!new String(magic, StandardCharsets.US_ASCII).equals("GGUF") || b.getInt() != 3) {
            throw new IOException(file + ": not a GGUF v3 file");
        }
        long tensorCount = b.getLong();
        long kvCount = b.getLong();
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = string(b);
            metadata.put(key, value(b, b.getInt()));
        }
        List<TensorInfo> tensors = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = string(b);
            int dims = b.getInt();
            List<Long> ne = new ArrayList<>();
            for (int d = 0; d < dims; d++) {
                ne.add(b.getLong());
            }
            int type = b.getInt();
            b.getLong(); // offset
            tensors.add(new TensorInfo(name, List.copyOf(ne), type));
        }
        return new GgufContents(metadata, List.copyOf(tensors));
    }

    /** The names of the tensors of block {@code i}, without the {@code blk.i.} prefix, in file order. */
    List<String> block(int i) {
        String prefix = "blk." + i + ".";
        return tensors.stream()
                .map(TensorInfo::name)
                .filter(n -> n.startsWith(prefix))
                .map(n -> n.substring(prefix.length()))
                .toList();
    }

    TensorInfo tensor(String name) {
        return tensors.stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no tensor " + name));
    }

    private static Object value(ByteBuffer b, int type) {
        return switch (type) {
            case 4 -> Integer.toUnsignedLong(b.getInt()); // u32
            case 5 -> b.getInt();
            case 6 -> b.getFloat();
            case 7 -> b.get() != 0;
            case 8 -> string(b);
            case 9 -> {
                int elementType = b.getInt();
                long n = b.getLong();
                List<Object> values = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    values.add(value(b, elementType));
                }
                yield values;
            }
            default -> throw new IllegalArgumentException("GGUF value type " + type + " is not one the writer uses");
        };
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[Math.toIntExact(b.getLong())];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
