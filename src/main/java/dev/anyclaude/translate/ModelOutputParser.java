package dev.anyclaude.translate;

import dev.anyclaude.api.Ids;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.EventSink;
import dev.anyclaude.api.StopReason;
import dev.anyclaude.api.Usage;
import java.io.IOException;
import java.util.Collection;
import java.util.Set;

/**
 * An interpreter of raw generated text: fed the pieces of a model's output as they are generated, it
 * emits Anthropic events, with {@code <think>} segments as thinking blocks and tool calls written as
 * text ({@link TextFormats}) as {@code tool_use} blocks with fresh gateway ids.
 *
 * <p>Text streams through at once; only a tail that might be the start of a tag ({@code "<thi"}) is held
 * back until the next piece decides it. A tool call is emitted when it is complete (its closing tag, or
 * the end of its JSON object), never half: a call cut off by the end of generation comes out as the
 * text it was, so a client never runs a truncated call. Llama-3-style JSON calls count only when they
 * are the whole answer and name one of the request's tools (else a JSON answer would be mistaken for
 * a call); such an answer is held until its object closes.
 *
 * <p>One parser serves one response on one thread.
 */
public final class ModelOutputParser {
    private static final String THINK_OPEN = "<think>";
    private static final String THINK_CLOSE = "</think>";
    private static final String CALL_OPEN = "<tool_call>";
    private static final String CALL_CLOSE = "</tool_call>";

    private enum Mode { TEXT, THINKING, TOOL_CALL, JSON_CALL, AFTER_JSON_CALL }

    private final ObjectMapper mapper;
    private final BlockWriter out;
    private final TextFormats formats;
    private final Set<String> toolNames;
    private final StringBuilder pending = new StringBuilder();
    private Mode mode;
    private boolean skipLeadingSpace;
    private boolean answerStarted;
    // scanner state of a JSON call being held
    private int scanPos;
    private int depth;
    private boolean inString;
    private boolean escaped;

    /**
     * @param toolNames the request's tool names: a JSON-style call must name one of them
     */
    public ModelOutputParser(ObjectMapper mapper, EventSink sink, TextFormats formats, Collection<String> toolNames) {
        this(mapper, new BlockWriter(sink), formats, toolNames);
    }

    ModelOutputParser(ObjectMapper mapper, BlockWriter out, TextFormats formats, Collection<String> toolNames) {
        this.mapper = mapper;
        this.out = out;
        this.formats = formats;
        this.toolNames = Set.copyOf(toolNames);
        this.mode = formats.startInThinking() ? Mode.THINKING : Mode.TEXT;
        this.skipLeadingSpace = mode == Mode.THINKING;
    }

    /** Emits {@code message_start} now (once the model has accepted the request); otherwise the first text does. */
    public void start(Usage usage) throws IOException {
        out.start(usage);
    }

    /** Feeds the next piece of generated text. */
    public void onText(String piece) throws IOException {
        out.start(null);
        if (piece == null || piece.isEmpty()) {
            return;
        }
        pending.append(piece);
        process();
    }

    /**
     * Ends the response: interprets what is still held, closes the open block and emits {@code
     * message_delta} (END_TURN becomes TOOL_USE when a tool call was emitted) and {@code message_stop}.
     */
    public void finish(StopReason reason, Usage usage) throws IOException {
        flush(reason);
        out.finish(reason == StopReason.END_TURN && out.anyToolUse() ? StopReason.TOOL_USE : reason, null, usage);
    }

    /** Whether a tool_use block was emitted so far. */
    public boolean sawToolUse() {
        return out.anyToolUse();
    }

    /** Interprets what is still held at the end of the text, without ending the message. */
    void flush(StopReason reason) throws IOException {
        switch (mode) {
            case TEXT -> {
                if (answerStarted || !pending.toString().isBlank()) {
                    emitText(0, pending.length());
                }
            }
            case THINKING -> out.thinking(pending.toString().stripTrailing());
            case TOOL_CALL -> {
                Call call = reason == StopReason.MAX_TOKENS ? null : call(pending.toString(), false);
                if (call != null) {
                    emitCall(call);
                } else {
                    out.text(CALL_OPEN + pending);
                }
            }
            case JSON_CALL -> out.text(pending.toString());
            case AFTER_JSON_CALL -> {
                if (!pending.toString().isBlank()) {
                    out.text(pending.toString());
                }
            }
        }
        pending.setLength(0);
        mode = Mode.TEXT;
    }

    private void process() throws IOException {
        while (!pending.isEmpty()) {
            boolean more = switch (mode) {
                case TEXT -> text();
                case THINKING -> thinking();
                case TOOL_CALL -> toolCall();
                case JSON_CALL -> jsonCall();
                case AFTER_JSON_CALL -> afterJsonCall();
            };
            if (!more) {
                return;
            }
        }
    }

    /** Returns true when the mode changed and the rest of {@code pending} needs another pass. */
    private boolean text() throws IOException {
        if (jsonCallsPossible()) {
            int i = firstNonSpace();
            if (i == pending.length()) {
                return false; // only whitespace so far: the answer's first character decides
            }
            if (pending.charAt(i) == '{') {
                pending.delete(0, i);
                enterJson();
                return true;
            }
        }
        int at = -1;
        String tag = null;
        if (formats.thinkTags()) {
            at = pending.indexOf(THINK_OPEN);
            tag = at >= 0 ? THINK_OPEN : null;
        }
        if (formats.hermesToolCalls()) {
            int c = pending.indexOf(CALL_OPEN);
            if (c >= 0 && (at < 0 || c < at)) {
                at = c;
                tag = CALL_OPEN;
            }
        }
        if (tag != null) {
            emitText(0, at);
            pending.delete(0, at + tag.length());
            mode = tag.equals(THINK_OPEN) ? Mode.THINKING : Mode.TOOL_CALL;
            skipLeadingSpace = mode == Mode.THINKING;
            return true;
        }
        int hold = heldTail(formats.thinkTags() ? THINK_OPEN : null, formats.hermesToolCalls() ? CALL_OPEN : null);
        emitText(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return false;
    }

    private boolean thinking() throws IOException {
        int at = pending.indexOf(THINK_CLOSE);
        if (at >= 0) {
            emitThinking(pending.substring(0, at).stripTrailing());
            pending.delete(0, at + THINK_CLOSE.length());
            out.close();
            mode = Mode.TEXT;
            skipLeadingSpace = true;
            return true;
        }
        int hold = heldTail(THINK_CLOSE, null);
        int end = pending.length() - hold;
        while (end > 0 && Character.isWhitespace(pending.charAt(end - 1))) {
            end--; // trailing space may turn out to precede </think>
        }
        emitThinking(pending.substring(0, end));
        pending.delete(0, end);
        return false;
    }

    private boolean toolCall() throws IOException {
        int at = pending.indexOf(CALL_CLOSE);
        if (at < 0) {
            return false;
        }
        String body = pending.substring(0, at);
        pending.delete(0, at + CALL_CLOSE.length());
        Call call = call(body, false);
        mode = Mode.TEXT;
        if (call != null) {
            emitCall(call);
            skipLeadingSpace = true; // the newline between calls is not an answer
        } else {
            out.text(CALL_OPEN + body + CALL_CLOSE);
            answerStarted = true;
        }
        return true;
    }

    private boolean jsonCall() throws IOException {
        int end = jsonEnd();
        if (end < 0) {
            return false;
        }
        String json = pending.substring(0, end);
        Call call = call(json, true);
        if (call == null) {
            // an answer that happens to be JSON: it is text, and so is everything after it
            out.text(json);
            answerStarted = true;
            pending.delete(0, end);
            mode = Mode.TEXT;
            return true;
        }
        pending.delete(0, end);
        emitCall(call);
        mode = Mode.AFTER_JSON_CALL;
        return true;
    }

    private boolean afterJsonCall() {
        int i = 0;
        while (i < pending.length() && (Character.isWhitespace(pending.charAt(i)) || pending.charAt(i) == ';')) {
            i++;
        }
        pending.delete(0, i);
        if (pending.isEmpty()) {
            return false;
        }
        if (pending.charAt(0) == '{') {
            enterJson();
        } else {
            answerStarted = true;
            mode = Mode.TEXT;
            skipLeadingSpace = true;
        }
        return true;
    }

    private boolean jsonCallsPossible() {
        return formats.jsonToolCalls() && !answerStarted && !toolNames.isEmpty();
    }

    private void enterJson() {
        mode = Mode.JSON_CALL;
        scanPos = 0;
        depth = 0;
        inString = false;
        escaped = false;
    }

    /** The end (exclusive) of the JSON object at the start of {@code pending}, or -1 while it is open. */
    private int jsonEnd() {
        for (; scanPos < pending.length(); scanPos++) {
            char c = pending.charAt(scanPos);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return ++scanPos;
            }
        }
        return -1;
    }

    private int firstNonSpace() {
        int i = 0;
        while (i < pending.length() && Character.isWhitespace(pending.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The length of the longest tail of {@code pending} that is a proper prefix of one of the tags. */
    private int heldTail(String tagA, String tagB) {
        int max = Math.max(tagA == null ? 0 : tagA.length(), tagB == null ? 0 : tagB.length()) - 1;
        int len = pending.length();
        for (int k = Math.min(max, len); k > 0; k--) {
            if (pending.charAt(len - k) != '<') {
                continue;
            }
            if (isPrefix(tagA, len - k) || isPrefix(tagB, len - k)) {
                return k;
            }
        }
        return 0;
    }

    private boolean isPrefix(String tag, int from) {
        if (tag == null) {
            return false;
        }
        int n = pending.length() - from;
        if (n >= tag.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (pending.charAt(from + i) != tag.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void emitText(int from, int to) throws IOException {
        if (skipLeadingSpace) {
            while (from < to && Character.isWhitespace(pending.charAt(from))) {
                from++;
            }
            if (from == to) {
                return;
            }
            skipLeadingSpace = false;
        }
        if (from < to) {
            out.text(pending.substring(from, to));
            answerStarted = true;
        }
    }

    private void emitThinking(String s) throws IOException {
        if (skipLeadingSpace) {
            s = s.stripLeading();
            if (s.isEmpty()) {
                return;
            }
            skipLeadingSpace = false;
        }
        out.thinking(s);
    }

    private void emitCall(Call call) throws IOException {
        out.toolStart(Ids.DEFAULT.toolUse(), call.name);
        out.toolArgs(call.argumentsJson);
        answerStarted = true;
    }

    private record Call(String name, String argumentsJson) {}

    /** Reads {@code {"name":..,"arguments"|"parameters":{..}}}; null when the text is not such a call. */
    private Call call(String json, boolean knownToolOnly) {
        JsonNode n;
        try {
            n = mapper.readTree(json);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (n == null || !n.isObject() || !n.path("name").isTextual() || n.path("name").asText().isEmpty()) {
            return null;
        }
        String name = n.get("name").asText();
        if (knownToolOnly && !toolNames.contains(name)) {
            return null;
        }
        JsonNode args = n.has("arguments") ? n.get("arguments") : n.get("parameters");
        if (args == null || args.isNull()) {
            return new Call(name, "{}");
        }
        if (args.isTextual()) {
            try {
                args = mapper.readTree(args.asText());
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        return args != null && args.isObject() ? new Call(name, args.toString()) : null;
    }
}
