package dev.anyclaude.messages;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A content block of a request message. Raw JSON values (tool input) are kept as compact JSON text
 * exactly as the client sent them, so they pass through untouched and hash deterministically.
 */
public sealed interface ContentBlock {

    record Text(String text) implements ContentBlock {}

    /** An image given inline ({@code data} base64 with {@code mediaType}) or by {@code url}. */
    record Image(
            @Nullable String mediaType,
            @Nullable String data,
            @Nullable String url) implements ContentBlock {}

    /** A document reduced to text where possible; {@code text} is null when it could not be. */
    record Document(@Nullable String title, @Nullable String text, String mediaType) implements ContentBlock {}

    record ToolUse(String id, String name, String inputJson) implements ContentBlock {}

    record ToolResult(String toolUseId, List<ContentBlock> content, boolean isError) implements ContentBlock {}

    record Thinking(String thinking, String signature) implements ContentBlock {}

    record RedactedThinking(String data) implements ContentBlock {}

    /** The text blocks among {@code blocks}, joined by blank lines (other blocks are skipped). */
    static String joinText(java.util.List<? extends ContentBlock> blocks) {
        if (blocks.size() == 1 && blocks.getFirst() instanceof Text t) {
            return t.text();
        }
        StringBuilder sb = new StringBuilder();
        for (ContentBlock b : blocks) {
            if (b instanceof Text t) {
                if (!sb.isEmpty()) {
                    sb.append("\n\n");
                }
                sb.append(t.text());
            }
        }
        return sb.toString();
    }
}
