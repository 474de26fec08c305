package dev.anyclaude.prefix;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Tool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A compact fingerprint of a prompt in render order — system, tools, then each message — as one hash per
 * part plus one hash per 64-character chunk, so two prompts can be compared to the chunk without keeping
 * their text (a 77 KB Claude Code prompt costs ~10 KB here).
 */
public final class PromptShape {
    static final int CHUNK = 64;

    /** One part of the prompt: its name (system, tools, messages[3]), length and chunk hashes. */
    record Part(String name, long length, long[] chunks, long hash) {}

    /** The tools part, with what names an agent (the tools not loaded on demand) and the tools' names. */
    private record ToolsPart(Part part, long agentHash, List<String> names, List<String> deferred) {}

    private final List<Part> parts;
    private final long length;
    private final ToolsPart tools;

    private PromptShape(List<Part> parts, ToolsPart tools) {
        this.parts = parts;
        this.tools = tools;
        long n = 0;
        for (Part p : parts) {
            n += p.length();
        }
        this.length = n;
    }

    public static PromptShape of(MessagesRequest r) {
        List<Part> parts = new ArrayList<>(r.messages().size() + 2);
        PartHasher h = new PartHasher();
        if (r.system() != null) {
            for (ContentBlock.Text t : r.system()) {
                h.add(t.text()).add('\n');
            }
        }
        parts.add(h.finish("system"));
        ToolsPart tools = r.tools() == null ? NO_TOOLS : TOOLS.get(r.tools(), PromptShape::tools);
        parts.add(tools.part());
        List<Message> messages = r.messages();
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            h.add(m.role().wire()).add(':');
            for (ContentBlock b : m.content()) {
                render(b, h);
            }
            parts.add(h.finish("messages[" + i + "]"));
        }
        return new PromptShape(List.copyOf(parts), tools);
    }

    /**
     * The tools part by tool list: the request parser hands out one list instance for identical tool bytes,
     * so Claude Code's ~50 KB of tools are hashed once per tool set (weak identity keys).
     */
    private static final Cache<List<Tool>, ToolsPart> TOOLS =
            Caffeine.newBuilder().weakKeys().maximumSize(64).build();

    private static final ToolsPart NO_TOOLS = new ToolsPart(new PartHasher().finish("tools"), 0, List.of(), List.of());

    /**
     * The tools part; the agent's hash leaves out tools loaded on demand ({@code defer_loading}), so a tool that
     * ToolSearch loads mid-conversation shows as a divergence of the same stream, not as a new agent.
     */
    private static ToolsPart tools(List<Tool> tools) {
        PartHasher h = new PartHasher();
        PartHasher agent = new PartHasher();
        List<String> names = new ArrayList<>(tools.size());
        List<String> deferred = new ArrayList<>(2);
        for (Tool t : tools) {
            h.add(t.name())
                    .add('\u0001')
                    .add(t.description())
                    .add('\u0001')
                    .add(t.inputSchemaJson())
                    .add('\n');
            names.add(t.name());
            if (t.deferLoading()) {
                deferred.add(t.name());
            } else {
                agent.add(t.name())
                        .add('\u0001')
                        .add(t.description())
                        .add('\u0001')
                        .add(t.inputSchemaJson())
                        .add('\n');
            }
        }
        return new ToolsPart(
                h.finish("tools"), agent.finish("tools").hash(), List.copyOf(names), List.copyOf(deferred));
    }

    private static void render(ContentBlock b, PartHasher h) {
        switch (b) {
            case ContentBlock.Text t -> h.add(t.text());
            case ContentBlock.Image i ->
                h.add("<image ")
                        .add(i.mediaType())
                        .add(' ')
                        .add(i.data() != null ? Integer.toHexString(i.data().hashCode()) : i.url())
                        .add('>');
            case ContentBlock.Document d ->
                h.add("<doc ").add(d.title()).add('>').add(d.text());
            case ContentBlock.ToolUse u ->
                h.add("<tool_use ").add(u.id()).add(' ').add(u.name()).add('>').add(u.inputJson());
            case ContentBlock.ToolResult r -> {
                h.add("<tool_result ").add(r.toolUseId()).add(r.isError() ? " error>" : ">");
                for (ContentBlock c : r.content()) {
                    render(c, h);
                }
            }
            case ContentBlock.Thinking t -> h.add("<thinking>").add(t.thinking());
            case ContentBlock.RedactedThinking t -> h.add("<redacted>");
        }
        h.add('\u0002');
    }

    /**
     * Hashes a part's rendering as it is produced, 64 characters to a chunk (FNV-1a), without building the
     * text. Reusable: {@link #finish} returns the part and starts the next one.
     */
    static final class PartHasher {
        private static final long OFFSET = 0xCBF29CE484222325L;
        private static final long PRIME = 0x100000001B3L;
        /** The current chunk's characters, hashed when the chunk is full or the part ends. */
        private final char[] chunk = new char[CHUNK];

        private long[] chunks = new long[64];
        private int count;
        private int inChunk;
        private long length;

        PartHasher add(@Nullable String s) {
            if (s == null) {
                return add("null");
            }
            int n = s.length();
            int i = 0;
            while (i < n) {
                int run = Math.min(n - i, CHUNK - inChunk);
                s.getChars(i, i + run, chunk, inChunk);
                i += run;
                length += run;
                inChunk += run;
                if (inChunk == CHUNK) {
                    push();
                }
            }
            return this;
        }

        PartHasher add(char c) {
            chunk[inChunk++] = c;
            length++;
            if (inChunk == CHUNK) {
                push();
            }
            return this;
        }

        private void push() {
            if (count == chunks.length) {
                chunks = Arrays.copyOf(chunks, count * 2);
            }
            chunks[count++] = hash(chunk, inChunk);
            inChunk = 0;
        }

        /**
         * FNV-1a over four interleaved lanes (characters 0, 4, 8… in the first, 1, 5, 9… in the second and so
         * on), then mixed with the length: four independent multiply chains run side by side, where one chain
         * over all characters waits on each multiply in turn.
         */
        static long hash(char[] c, int n) {
            long a = OFFSET;
            long b = OFFSET ^ 0x5555555555555555L;
            long x = OFFSET ^ 0x3333333333333333L;
            long d = OFFSET ^ 0x0F0F0F0F0F0F0F0FL;
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                a = (a ^ c[j]) * PRIME;
                b = (b ^ c[j + 1]) * PRIME;
                x = (x ^ c[j + 2]) * PRIME;
                d = (d ^ c[j + 3]) * PRIME;
            }
            for (; j < n; j++) {
                a = (a ^ c[j]) * PRIME;
            }
            long h = a;
            h = (Long.rotateLeft(h, 23) ^ b) * PRIME;
            h = (Long.rotateLeft(h, 23) ^ x) * PRIME;
            h = (Long.rotateLeft(h, 23) ^ d) * PRIME;
            return h ^ n;
        }

        Part finish(String name) {
            if (inChunk > 0) {
                push();
            }
            long whole = 0x9E3779B97F4A7C15L;
            for (int c = 0; c < count; c++) {
                whole = (whole ^ chunks[c]) * PRIME + c;
            }
            Part part = new Part(name, length, Arrays.copyOf(chunks, count), whole ^ length);
            count = 0;
            length = 0;
            return part;
        }
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
        return parts.get(0).hash() * 31 + tools.agentHash();
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
    public @Nullable Divergence divergenceFrom(PromptShape previous) {
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
            String detail = i == 1 ? toolChange(previous.tools, tools) : null;
            return new Divergence(now.name(), offset + within, within, offset + within, length, detail);
        }
        if (parts.size() < previous.parts.size()) {
            return new Divergence(previous.parts.get(n).name() + " (removed)", offset, 0, offset, length, null);
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
    public record Divergence(
            String part,
            long charOffset,
            long offsetInPart,
            long reusableChars,
            long totalChars,
            @Nullable String detail) {

        /**
         * One line for people: {@code "tools changed: +CronList (loaded on demand) — 41,210 of 98,400 characters
         * reusable"}, {@code "system changed at character 1,204 — 1,152 of 98,400 characters reusable"}.
         */
        public String inWords() {
            String what = detail != null
                    ? detail
                    : part.endsWith("(removed)")
                            ? part
                            : part + " changed at character "
                                    + String.format(java.util.Locale.ROOT, "%,d", offsetInPart);
            return what
                    + String.format(
                            java.util.Locale.ROOT, " — %,d of %,d characters reusable", reusableChars, totalChars);
        }
    }

    /**
     * What changed in the tool list, in words: {@code "+CronList (loaded on demand)"}, {@code "-WebFetch"},
     * {@code "reordered"}, or {@code "definitions changed"} when the names are the same.
     */
    static String toolChange(ToolsPart before, ToolsPart now) {
        List<String> added = new ArrayList<>(now.names());
        added.removeAll(before.names());
        List<String> removed = new ArrayList<>(before.names());
        removed.removeAll(now.names());
        if (added.isEmpty() && removed.isEmpty()) {
            return now.names().equals(before.names()) ? "tool definitions changed" : "tools reordered";
        }
        StringBuilder out = new StringBuilder("tools changed:");
        for (String a : added) {
            out.append(" +").append(a).append(now.deferred().contains(a) ? " (loaded on demand)" : "");
        }
        for (String r : removed) {
            out.append(" -").append(r);
        }
        return out.toString();
    }
}
