package dev.anyclaude.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.ThinkingConfig;
import dev.anyclaude.messages.Tool;
import dev.anyclaude.messages.ToolChoice;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The canonical byte form of a request for the response cache: everything that can change the answer,
 * nothing that cannot.
 *
 * <p>The encoding is a prefix code directed by the record schema: fields are written in a fixed order,
 * every optional value starts with a presence byte, every list and string with its length, every variant
 * of a sealed type with its own tag. Decoding is therefore unambiguous, so two requests encode alike only
 * when they agree on every encoded field.
 *
 * <p>Left out: {@code stream}, since a streamed answer can be replayed as JSON and back; and the spelling
 * of tool-use ids. Each id is written as the position of its first appearance among all tool-use and
 * tool-result ids of the request. The ids are random tokens that only link a result to its call, and a
 * replayed answer hands out fresh ones; keying on their spelling would make every later turn of a replayed
 * conversation miss. Renaming ids one-to-one keeps the links, and only such a renaming maps to the same
 * bytes. {@code metadata}, {@code cache_control} and headers never reach {@link MessagesRequest}; the
 * billing header is removed before this stage.
 *
 * <p>The tool definitions (~50 KB of Claude Code's ~60 KB request, the same on every turn) are written as
 * the SHA-256 of their own canonical encoding, computed once per tool set: a request's key then hashes and
 * stores ~12 KB instead of ~60 KB. Two tool sets encode alike only if their encodings collide under SHA-256,
 * which is the same assumption the key's hash already rests on.
 *
 * <p>Enum values are written by name, not ordinal, so gateways of different versions sharing one Redis
 * tier cannot read one role as another.
 */
final class CanonicalRequest {
    /** Bumped whenever the encoding changes, so old shared entries can never match new requests. */
    static final int FORMAT = 2;

    private static final int BLOCK_NULL = 0;
    private static final int BLOCK_TEXT = 1;
    private static final int BLOCK_IMAGE = 2;
    private static final int BLOCK_DOCUMENT = 3;
    private static final int BLOCK_TOOL_USE = 4;
    private static final int BLOCK_TOOL_RESULT = 5;
    private static final int BLOCK_THINKING = 6;
    private static final int BLOCK_REDACTED_THINKING = 7;

    private final BinaryWriter out;
    private final Map<String, Integer> toolIds = new HashMap<>();

    private CanonicalRequest(int sizeHint) {
        out = new BinaryWriter(sizeHint);
    }

    static byte[] encode(MessagesRequest r) {
        CanonicalRequest c = new CanonicalRequest(16 * 1024);
        c.request(r);
        return c.out.toByteArray();
    }

    private void request(MessagesRequest r) {
        out.varint(FORMAT);
        out.nullableString(r.model());
        out.zigzag(r.maxTokens());
        textList(r.system());
        messages(r.messages());
        tools(r.tools());
        toolChoice(r.toolChoice());
        nullableDouble(r.temperature());
        nullableDouble(r.topP());
        Integer topK = r.topK();
        if (present(topK) && topK != null) {
            out.zigzag(topK);
        }
        if (present(r.stopSequences())) {
            out.varint(r.stopSequences().size());
            for (String s : r.stopSequences()) {
                out.nullableString(s);
            }
        }
        thinking(r.thinking());
        out.nullableString(r.outputSchemaJson());
        out.nullableString(r.effort());
    }

    private void textList(List<ContentBlock.Text> texts) {
        if (present(texts)) {
            out.varint(texts.size());
            for (ContentBlock.Text t : texts) {
                if (present(t)) {
                    out.nullableString(t.text());
                }
            }
        }
    }

    private void messages(List<Message> messages) {
        if (present(messages)) {
            out.varint(messages.size());
            for (Message m : messages) {
                if (present(m)) {
                    out.nullableString(m.role() == null ? null : m.role().name());
                    blocks(m.content());
                }
            }
        }
    }

    private void blocks(List<ContentBlock> blocks) {
        if (present(blocks)) {
            out.varint(blocks.size());
            for (ContentBlock b : blocks) {
                block(b);
            }
        }
    }

    private void block(ContentBlock block) {
        switch (block) {
            case null -> out.u8(BLOCK_NULL);
            case ContentBlock.Text t -> {
                out.u8(BLOCK_TEXT);
                out.nullableString(t.text());
            }
            case ContentBlock.Image i -> {
                out.u8(BLOCK_IMAGE);
                out.nullableString(i.mediaType());
                out.nullableString(i.data());
                out.nullableString(i.url());
            }
            case ContentBlock.Document d -> {
                out.u8(BLOCK_DOCUMENT);
                out.nullableString(d.title());
                out.nullableString(d.text());
                out.nullableString(d.mediaType());
            }
            case ContentBlock.ToolUse u -> {
                out.u8(BLOCK_TOOL_USE);
                toolId(u.id());
                out.nullableString(u.name());
                out.nullableString(u.inputJson());
            }
            case ContentBlock.ToolResult res -> {
                out.u8(BLOCK_TOOL_RESULT);
                toolId(res.toolUseId());
                blocks(res.content());
                out.bool(res.isError());
            }
            case ContentBlock.Thinking t -> {
                out.u8(BLOCK_THINKING);
                out.nullableString(t.thinking());
                out.nullableString(t.signature());
            }
            case ContentBlock.RedactedThinking t -> {
                out.u8(BLOCK_REDACTED_THINKING);
                out.nullableString(t.data());
            }
        }
    }

    /** Writes an id as the position of its first appearance (see the class comment). */
    private void toolId(String id) {
        if (present(id)) {
            Integer seen = toolIds.putIfAbsent(id, toolIds.size());
            out.varint(seen == null ? toolIds.size() - 1 : seen);
        }
    }

    private void tools(List<Tool> tools) {
        if (present(tools)) {
            out.raw(TOOL_DIGESTS.get(tools, CanonicalRequest::toolsDigest));
        }
    }

    /**
     * The SHA-256 of each tool set's canonical entries, by tool list. The request parser hands out one list
     * instance for identical tool bytes, so a conversation's tools are encoded and hashed once (weak identity
     * keys: a list no request holds any more drops out). The digest is the same with or without the memo.
     */
    private static final Cache<List<Tool>, byte[]> TOOL_DIGESTS =
            Caffeine.newBuilder().weakKeys().maximumSize(64).build();

    private static byte[] toolsDigest(List<Tool> tools) {
        return CacheKey.Digest.sha256Bytes(toolEntries(tools));
    }

    private static byte[] toolEntries(List<Tool> tools) {
        CanonicalRequest c = new CanonicalRequest(1024 + 2048 * tools.size());
        c.out.varint(tools.size());
        for (Tool t : tools) {
            if (c.present(t)) {
                c.out.nullableString(t.name());
                c.out.nullableString(t.description());
                c.out.nullableString(t.inputSchemaJson());
                c.out.nullableString(t.type());
            }
        }
        return c.out.toByteArray();
    }

    private void toolChoice(@Nullable ToolChoice c) {
        if (present(c) && c != null) {
            out.nullableString(c.type());
            out.nullableString(c.name());
            out.bool(c.disableParallelToolUse());
        }
    }

    private void thinking(@Nullable ThinkingConfig t) {
        if (present(t) && t != null) {
            out.nullableString(t.type());
            out.zigzag(t.budgetTokens());
        }
    }

    private void nullableDouble(@Nullable Double d) {
        if (present(d) && d != null) {
            out.float64(d);
        }
    }

    /** Writes the presence byte of an optional value and says whether the value follows. */
    private boolean present(@Nullable Object value) {
        out.bool(value != null);
        return value != null;
    }
}
