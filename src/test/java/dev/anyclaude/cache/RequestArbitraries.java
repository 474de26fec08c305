package dev.anyclaude.cache;

import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.ThinkingConfig;
import dev.anyclaude.messages.Tool;
import dev.anyclaude.messages.ToolChoice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Random requests over deliberately tiny value sets (strings like "", "a", "ab", "?", a lone surrogate;
 * tool ids from a pool of three), so that independently drawn parts often coincide and near-identical
 * pairs, the hard case for a canonical encoding, come up all the time.
 */
final class RequestArbitraries {
    private RequestArbitraries() {}

    static Arbitrary<String> strings() {
        return Arbitraries.of("", "a", "b", "ab", "?", "\uD800", "\uDC00?", "é", "日本", "a,b", "\u0000")
                .injectNull(0.1);
    }

    static Arbitrary<String> toolIds() {
        return Arbitraries.of("toolu_1", "toolu_2", "call_3").injectNull(0.05);
    }

    static Arbitrary<Double> doubles() {
        return Arbitraries.of(0.0, -0.0, 0.5, 1.0, 0.7).injectNull(0.4);
    }

    static Arbitrary<ContentBlock> leafBlocks() {
        return Arbitraries.oneOf(
                strings().map(ContentBlock.Text::new),
                Combinators.combine(strings(), strings(), strings()).as(ContentBlock.Image::new),
                Combinators.combine(strings(), strings(), strings()).as(ContentBlock.Document::new),
                Combinators.combine(toolIds(), strings(), strings()).as(ContentBlock.ToolUse::new),
                Combinators.combine(strings(), strings()).as(ContentBlock.Thinking::new),
                strings().map(ContentBlock.RedactedThinking::new));
    }

    static Arbitrary<ContentBlock> blocks() {
        Arbitrary<ContentBlock> toolResult = Combinators.combine(
                        toolIds(), leafBlocks().list().ofMaxSize(2).injectNull(0.1), Arbitraries.of(true, false))
                .as(ContentBlock.ToolResult::new);
        return Arbitraries.frequencyOf(
                Tuple.of(6, leafBlocks()), Tuple.of(3, toolResult), Tuple.of(1, Arbitraries.just(null)));
    }

    static Arbitrary<Message> messages() {
        return Combinators.combine(
                        Arbitraries.of(Role.class).injectNull(0.05),
                        blocks().list().ofMaxSize(3))
                .as(Message::new);
    }

    static Arbitrary<List<ContentBlock.Text>> systems() {
        return strings().map(ContentBlock.Text::new).list().ofMaxSize(3).injectNull(0.2);
    }

    static Arbitrary<List<Message>> messageLists() {
        return messages().list().ofMaxSize(3).injectNull(0.05);
    }

    static Arbitrary<List<Tool>> toolLists() {
        return Combinators.combine(strings(), strings(), strings(), strings())
                .as(Tool::new)
                .list()
                .ofMaxSize(2)
                .injectNull(0.2);
    }

    static Arbitrary<ToolChoice> toolChoices() {
        return Combinators.combine(strings(), strings(), Arbitraries.of(true, false))
                .as(ToolChoice::new)
                .injectNull(0.5);
    }

    static Arbitrary<ThinkingConfig> thinkings() {
        return Combinators.combine(
                        Arbitraries.of("enabled", "adaptive", "disabled").injectNull(0.1), Arbitraries.of(0, 1024, -1))
                .as(ThinkingConfig::new)
                .injectNull(0.5);
    }

    static Arbitrary<MessagesRequest> requests() {
        Arbitrary<Object[]> head = Combinators.combine(
                        strings(),
                        Arbitraries.of(1, 1024, 64000, -5),
                        systems(),
                        messageLists(),
                        toolLists(),
                        toolChoices(),
                        doubles(),
                        doubles())
                .as((model, max, system, messages, tools, choice, temp, topP) ->
                        new Object[] {model, max, system, messages, tools, choice, temp, topP});
        Arbitrary<Object[]> tail = Combinators.combine(
                        Arbitraries.of(1, 40).injectNull(0.6),
                        strings().list().ofMaxSize(2).injectNull(0.6),
                        thinkings(),
                        strings(),
                        strings(),
                        Arbitraries.of(true, false))
                .as((topK, stops, thinking, schema, effort, stream) ->
                        new Object[] {topK, stops, thinking, schema, effort, stream});
        return Combinators.combine(head, tail).as(RequestArbitraries::assemble);
    }

    @SuppressWarnings("unchecked")
    private static MessagesRequest assemble(Object[] h, Object[] t) {
        return new MessagesRequest(
                (String) h[0],
                (Integer) h[1],
                (List<ContentBlock.Text>) h[2],
                (List<Message>) h[3],
                (List<Tool>) h[4],
                (ToolChoice) h[5],
                (Double) h[6],
                (Double) h[7],
                (Integer) t[0],
                (List<String>) t[1],
                (ThinkingConfig) t[2],
                (String) t[3],
                (String) t[4],
                (Boolean) t[5]);
    }

    /**
     * Pairs of a request and a near variant: the same request with one part redrawn (a field, one message
     * or the stream flag), or with its tool ids renamed one-to-one. The redrawn part often comes out the
     * same, so equal and unequal pairs both occur.
     */
    static Arbitrary<Tuple.Tuple2<MessagesRequest, MessagesRequest>> nearPairs() {
        return requests().flatMap(a -> variants(a).map(b -> Tuple.of(a, b)));
    }

    private static Arbitrary<MessagesRequest> variants(MessagesRequest a) {
        List<Arbitrary<MessagesRequest>> options = new ArrayList<>(List.of(
                strings().map(a::withModel),
                Arbitraries.of(1, 1024).map(a::withMaxTokens),
                systems().map(a::withSystem),
                messageLists().map(a::withMessages),
                toolLists().map(v -> with(a, 4, v)),
                toolChoices().map(v -> with(a, 5, v)),
                doubles().map(v -> with(a, 6, v)),
                doubles().map(v -> with(a, 7, v)),
                Arbitraries.of(1, 40).injectNull(0.6).map(v -> with(a, 8, v)),
                strings().list().ofMaxSize(2).injectNull(0.6).map(v -> with(a, 9, v)),
                thinkings().map(v -> with(a, 10, v)),
                strings().map(v -> with(a, 11, v)),
                strings().map(v -> with(a, 12, v)),
                Arbitraries.just(Samples.withStream(a, !a.stream())),
                Arbitraries.of("x_", "toolu_9", "").map(p -> renameToolIds(a, id -> p + id.hashCode()))));
        if (a.messages() != null && !a.messages().isEmpty()) {
            int n = a.messages().size();
            options.add(Combinators.combine(Arbitraries.integers().between(0, n - 1), messages())
                    .as((i, m) -> {
                        List<Message> ms = new ArrayList<>(a.messages());
                        ms.set(i, m);
                        return a.withMessages(ms);
                    }));
        }
        return Arbitraries.oneOf(options);
    }

    /** {@code a} with field number {@code field} (record component order) replaced. */
    @SuppressWarnings("unchecked")
    private static MessagesRequest with(MessagesRequest a, int field, Object v) {
        Object[] f = {
            a.model(),
            a.maxTokens(),
            a.system(),
            a.messages(),
            a.tools(),
            a.toolChoice(),
            a.temperature(),
            a.topP(),
            a.topK(),
            a.stopSequences(),
            a.thinking(),
            a.outputSchemaJson(),
            a.effort(),
            a.stream()
        };
        f[field] = v;
        return new MessagesRequest(
                (String) f[0],
                (Integer) f[1],
                (List<ContentBlock.Text>) f[2],
                (List<Message>) f[3],
                (List<Tool>) f[4],
                (ToolChoice) f[5],
                (Double) f[6],
                (Double) f[7],
                (Integer) f[8],
                (List<String>) f[9],
                (ThinkingConfig) f[10],
                (String) f[11],
                (String) f[12],
                (Boolean) f[13]);
    }

    /**
     * The request as the cache should see it, computed independently of the encoder: stream flag cleared,
     * tool ids replaced by the order of their first appearance.
     */
    static MessagesRequest keyedContent(MessagesRequest r) {
        Map<String, String> seen = new HashMap<>();
        MessagesRequest renamed = renameToolIds(r, id -> seen.computeIfAbsent(id, k -> "#" + seen.size()));
        return Samples.withStream(renamed, false);
    }

    /** Renames every tool-use and tool-result id through {@code rename}, in document order. */
    static MessagesRequest renameToolIds(MessagesRequest r, Function<String, String> rename) {
        if (r.messages() == null) {
            return r;
        }
        List<Message> ms = new ArrayList<>();
        for (Message m : r.messages()) {
            ms.add(m == null ? null : new Message(m.role(), renameBlocks(m.content(), rename)));
        }
        return r.withMessages(ms);
    }

    private static List<ContentBlock> renameBlocks(List<ContentBlock> blocks, Function<String, String> rename) {
        if (blocks == null) {
            return null;
        }
        List<ContentBlock> out = new ArrayList<>();
        for (ContentBlock b : blocks) {
            out.add(
                    switch (b) {
                        case ContentBlock.ToolUse u ->
                            new ContentBlock.ToolUse(
                                    u.id() == null ? null : rename.apply(u.id()), u.name(), u.inputJson());
                        case ContentBlock.ToolResult res -> {
                            String id = res.toolUseId() == null ? null : rename.apply(res.toolUseId());
                            yield new ContentBlock.ToolResult(id, renameBlocks(res.content(), rename), res.isError());
                        }
                        case null -> null;
                        default -> b;
                    });
        }
        return out;
    }
}
