package dev.anyclaude.backend;

import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Tool;

/**
 * A quick, deliberately generous estimate of a request's prompt tokens (about 3.5 characters a token
 * plus per-message template overhead), used where no tokenizer is at hand: to clamp {@code max_tokens}
 * and to answer count_tokens when the server cannot tokenize.
 */
public final class PromptSize {
    private PromptSize() {}

    public static long estimateTokens(MessagesRequest r) {
        long chars = 0;
        long parts = 0;
        if (r.system() != null) {
            for (ContentBlock.Text t : r.system()) {
                chars += t.text().length();
                parts++;
            }
        }
        if (r.tools() != null) {
            for (Tool t : r.tools()) {
                chars += t.name().length() + len(t.description()) + len(t.inputSchemaJson()) + 16;
                parts++;
            }
        }
        for (Message m : r.messages()) {
            parts++;
            for (ContentBlock b : m.content()) {
                chars += chars(b);
            }
        }
        return chars * 2 / 7 + parts * 8 + 16;
    }

    private static long chars(ContentBlock b) {
        return switch (b) {
            case ContentBlock.Text t -> t.text().length();
            case ContentBlock.Image i -> 1600 * 4; // vision models spend roughly this much on an image
            case ContentBlock.Document d -> len(d.text()) + len(d.title());
            case ContentBlock.ToolUse u -> u.name().length() + len(u.inputJson()) + 16;
            case ContentBlock.ToolResult r -> {
                long n = 16;
                for (ContentBlock c : r.content()) {
                    n += chars(c);
                }
                yield n;
            }
            case ContentBlock.Thinking t -> len(t.thinking());
            case ContentBlock.RedactedThinking t -> 0;
        };
    }

    private static long len(String s) {
        return s == null ? 0 : s.length();
    }
}
