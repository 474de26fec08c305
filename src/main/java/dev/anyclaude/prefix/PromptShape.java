package dev.anyclaude.prefix;

import dev.anyclaude.api.ContentBlock;
import dev.anyclaude.api.Message;
import dev.anyclaude.api.MessagesRequest;
import dev.anyclaude.api.Tool;
import java.util.ArrayList;
import java.util.List;

/**
 * A compact fingerprint of a prompt in render order — system, tools, then each message — as one hash per
 * part plus one hash per 64-character chunk, so two prompts can be compared to the chunk without keeping
 * their text (a 77 KB Claude Code prompt costs ~10 KB here).
 */
public final class PromptShape {
    static final int CHUNK = 64;

    /** One part of the prompt: its name (system, tools, messages[3]), length and chunk hashes. */
    record Part(String name, long length, long[] chunks, long hash) {}

    private final List<Part> parts;
    private final long length;

    private PromptShape(List<Part> parts) {
        this.parts = parts;
        long n = 0;
        for (Part p : parts) {
            n += p.length();
        }
        this.length = n;
    }

    public static PromptShape of(MessagesRequest r) {
        List<Part> parts = new ArrayList<>(r.messages().size() + 2);
        StringBuilder sb = new StringBuilder();
        if (r.system() != null) {
            for (ContentBlock.Text t : r.system()) {
                sb.append(t.text()).append('\n');
            }
        }
        parts.add(part("system", sb));
        sb.setLength(0);
        if (r.tools() != null) {
            for (Tool t : r.tools()) {
                sb.append(t.name()).append('\u0001').append(t.description()).append('\u0001')
                        .append(t.inputSchemaJson()).append('\n');
            }
        }
        parts.add(part("tools", sb));
        List<Message> messages = r.messages();
        for (int i = 0; i < messages.size(); i++) {
            sb.setLength(0);
            Message m = messages.get(i);
            sb.append(m.role().wire()).append(':');
            for (ContentBlock b : m.content()) {
                render(b, sb);
            }
            parts.add(part("messages[" + i + "]", sb));
        }
        return new PromptShape(List.copyOf(parts));
    }

    private static void render(ContentBlock b, StringBuilder sb) {
        switch (b) {
            case ContentBlock.Text t -> sb.append(t.text());
            case ContentBlock.Image i -> sb.append("<image ").append(i.mediaType()).append(' ')
                    .append(i.data() != null ? Integer.toHexString(i.data().hashCode()) : i.url()).append('>');
            case ContentBlock.Document d -> sb.append("<doc ").append(d.title()).append('>').append(d.text());
            case ContentBlock.ToolUse u -> sb.append("<tool_use ").append(u.id()).append(' ').append(u.name())
                    .append('>').append(u.inputJson());
            case ContentBlock.ToolResult r -> {
                sb.append("<tool_result ").append(r.toolUseId()).append(r.isError() ? " error>" : ">");
                for (ContentBlock c : r.content()) {
                    render(c, sb);
                }
            }
            case ContentBlock.Thinking t -> sb.append("<thinking>").append(t.thinking());
            case ContentBlock.RedactedThinking t -> sb.append("<redacted>");
        }
        sb.append('\u0002');
    }

    private static Part part(String name, CharSequence text) {
        int n = text.length();
        long[] chunks = new long[(n + CHUNK - 1) / CHUNK];
        long whole = 0x9E3779B97F4A7C15L;
        for (int c = 0; c < chunks.length; c++) {
            long h = 0xCBF29CE484222325L;
            for (int i = c * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
                h = (h ^ text.charAt(i)) * 0x100000001B3L;
            }
            chunks[c] = h;
            whole = (whole ^ h) * 0x100000001B3L + c;
        }
        return new Part(name, n, chunks, whole ^ n);
    }

    List<Part> parts() {
        return parts;
    }

    /** Characters in the rendering. */
    public long length() {
        return length;
    }

    /** A hash of system and tools: the part that names an agent (main agent, a sub-agent). */
    public long agentFingerprint() {
        return parts.get(0).hash() * 31 + parts.get(1).hash();
    }

    /** A hash of the first message: with the agent fingerprint it names a conversation without a session id. */
    public long firstMessageHash() {
        return parts.size() > 2 ? parts.get(2).hash() : 0;
    }

    /**
     * Where this prompt first differs from {@code previous}: the part, and the character offset (to the
     * chunk) from the start of the whole prompt. {@code null} when this prompt extends {@code previous}
     * (the conversation only grew) or equals it.
     */
    public Divergence divergenceFrom(PromptShape previous) {
        long offset = 0;
        int n = Math.min(parts.size(), previous.parts.size());
        for (int i = 0; i < n; i++) {
            Part now = parts.get(i);
            Part before = previous.parts.get(i);
            if (now.hash() == before.hash() && now.length() == before.length()) {
                offset += now.length();
                continue;
            }
            int c = 0;
            int m = Math.min(now.chunks().length, before.chunks().length);
            while (c < m && now.chunks()[c] == before.chunks()[c]) {
                c++;
            }
            long within = Math.min((long) c * CHUNK, Math.min(now.length(), before.length()));
            return new Divergence(now.name(), offset + within, within, offset + within, length);
        }
        if (parts.size() < previous.parts.size()) {
            return new Divergence(previous.parts.get(n).name() + " (removed)", offset, 0, offset, length);
        }
        return null;
    }

    /**
     * The first difference between two consecutive prompts of one conversation stream.
     *
     * @param part which part differs: system, tools or messages[i]
     * @param charOffset offset of the first differing 64-character chunk from the start of the prompt
     * @param offsetInPart the same, from the start of the part
     * @param reusableChars characters before the difference (what a prefix cache can still reuse)
     * @param totalChars characters of the new prompt
     */
    public record Divergence(String part, long charOffset, long offsetInPart, long reusableChars, long totalChars) {}
}
