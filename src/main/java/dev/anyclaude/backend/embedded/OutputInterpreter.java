package dev.anyclaude.backend.embedded;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;

/**
 * Reads generated text as it streams and turns it into content blocks: plain text, {@code
 * <think>...</think>} as thinking, {@code <tool_call>{"name", "arguments"}</tool_call>} (Qwen/Hermes)
 * and a bare {@code {"name", "parameters"}} answer (Llama 3 JSON) as tool calls.
 *
 * <p>Text that might be the start of a tag is held until it is decided. A tool call is emitted once
 * complete and valid; one cut off (max tokens) or not valid JSON with a name is passed on as text, so
 * truncated arguments never become a tool_use. Blocks never begin or end with whitespace: the
 * separators models put around tags are dropped here and re-inserted by {@link PromptRenderer} when the
 * answer comes back as history.
 */
final class OutputInterpreter {

    private static final String THINK_OPEN = "<think>";
    private static final String THINK_CLOSE = "</think>";
    private static final String CALL_OPEN = "<tool_call>";
    private static final String CALL_CLOSE = "</tool_call>";
    private static final String PYTHON_TAG = "<|python_tag|>";

    private enum State { TEXT, THINK, CALL, BARE_JSON }

    private final BlockWriter out;
    private final ObjectReader json;
    private final ObjectMapper mapper;
    private final boolean parseTools;
    private final boolean emitThinking;
    private final boolean singleCall;
    private State state;
    private final StringBuilder pending = new StringBuilder();
    private final StringBuilder heldSpace = new StringBuilder();
    private boolean segmentStarted;
    private boolean anyOutput;
    private int toolCalls;
    private boolean stopRequested;

    OutputInterpreter(BlockWriter out, ObjectMapper mapper, PromptRenderer.Prompt prompt, boolean emitThinking) {
        this.out = out;
        this.mapper = mapper;
        this.json = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.parseTools = prompt.toolMode() != PromptRenderer.ToolMode.NONE;
        this.emitThinking = emitThinking;
        this.singleCall = prompt.singleToolCall();
        if (prompt.toolMode() == PromptRenderer.ToolMode.FORCED) {
            state = State.CALL;
            pending.append(prompt.forcedPrefix().substring(prompt.forcedPrefix().indexOf(CALL_OPEN) + CALL_OPEN.length()));
        } else {
            state = prompt.startsInThinking() ? State.THINK : State.TEXT;
        }
    }

    int toolCalls() {
        return toolCalls;
    }

    /** Whether generation should stop: the one tool call allowed is complete. */
    boolean stopRequested() {
        return stopRequested;
    }

    void accept(String text) throws IOException {
        if (stopRequested || text.isEmpty()) {
            return;
        }
        pending.append(text);
        boolean progressed = true;
        while (progressed && !stopRequested) {
            progressed = switch (state) {
                case TEXT -> scanText();
                case THINK -> scanThinking();
                case CALL -> scanCall();
                case BARE_JSON -> false;
            };
        }
    }

    /** Ends the output: flushes what is held; {@code truncated} when generation hit a length limit. */
    void finish(boolean truncated) throws IOException {
        if (!stopRequested) {
            switch (state) {
                case TEXT -> emitText(pending.toString());
                case THINK -> emitThinking(pending.toString());
                case CALL -> {
                    if (truncated || !emitCall(pending.toString())) {
                        passAsText(CALL_OPEN + pending);
                    }
                }
                case BARE_JSON -> {
                    String body = pending.toString().strip();
                    String call = body.startsWith(PYTHON_TAG) ? body.substring(PYTHON_TAG.length()) : body;
                    if (truncated || !emitCall(call)) {
                        passAsText(body);
                    }
                }
            }
            pending.setLength(0);
        }
        endSegment();
        out.close();
    }

    private boolean scanText() throws IOException {
        if (parseTools && !anyOutput && toolCalls == 0) {
            String lead = pending.toString().stripLeading();
            if (lead.isEmpty()) {
                return false;
            }
            if (lead.startsWith("{") || lead.startsWith(PYTHON_TAG)) {
                state = State.BARE_JSON;
                return false;
            }
            if (PYTHON_TAG.startsWith(lead)) {
                return false;
            }
        }
        int think = pending.indexOf(THINK_OPEN);
        int call = parseTools ? pending.indexOf(CALL_OPEN) : -1;
        if (think >= 0 && (call < 0 || think < call)) {
            emitText(pending.substring(0, think));
            pending.delete(0, think + THINK_OPEN.length());
            switchTo(State.THINK);
            return true;
        }
        if (call >= 0) {
            emitText(pending.substring(0, call));
            pending.delete(0, call + CALL_OPEN.length());
            switchTo(State.CALL);
            return true;
        }
        int keep = partialTag(pending, parseTools ? new String[] {THINK_OPEN, CALL_OPEN} : new String[] {THINK_OPEN});
        emitText(pending.substring(0, pending.length() - keep));
        pending.delete(0, pending.length() - keep);
        return false;
    }

    private boolean scanThinking() throws IOException {
        int close = pending.indexOf(THINK_CLOSE);
        if (close >= 0) {
            emitThinking(pending.substring(0, close));
            pending.delete(0, close + THINK_CLOSE.length());
            switchTo(State.TEXT);
            return true;
        }
        int keep = partialTag(pending, new String[] {THINK_CLOSE});
        emitThinking(pending.substring(0, pending.length() - keep));
        pending.delete(0, pending.length() - keep);
        return false;
    }

    private boolean scanCall() throws IOException {
        int close = pending.indexOf(CALL_CLOSE);
        if (close < 0) {
            return false;
        }
        String body = pending.substring(0, close);
        pending.delete(0, close + CALL_CLOSE.length());
        if (!emitCall(body)) {
            passAsText(CALL_OPEN + body + CALL_CLOSE);
        } else if (singleCall) {
            stopRequested = true;
            pending.setLength(0);
        }
        switchTo(State.TEXT);
        return true;
    }

    /** Emits a tool call from its JSON body; false when the body is not a named call with object arguments. */
    private boolean emitCall(String body) throws IOException {
        JsonNode node;
        try {
            node = json.readTree(body.strip());
        } catch (IOException e) {
            return false;
        }
        if (node == null || !node.isObject() || !node.path("name").isTextual() || node.path("name").asText().isBlank()) {
            return false;
        }
        JsonNode args = node.has("arguments") ? node.get("arguments") : node.get("parameters");
        if (args == null || args.isNull()) {
            args = mapper.createObjectNode();
        } else if (args.isTextual()) {
            try {
                args = json.readTree(args.asText());
            } catch (IOException e) {
                return false;
            }
        }
        if (args == null || !args.isObject()) {
            return false;
        }
        endSegment();
        out.toolUse(node.get("name").asText(), mapper.writeValueAsString(args));
        toolCalls++;
        anyOutput = true;
        return true;
    }

    /** Emits what looked like a tool call as the text it is, continuing the text around it. */
    private void passAsText(String text) throws IOException {
        emitText(text);
    }

    /**
     * Changes state. Text around a tool call stays one segment until the call proves valid (then
     * {@link #emitCall} ends it), so a call passed on as text keeps the whitespace around it.
     */
    private void switchTo(State next) {
        boolean callEdge = (state == State.TEXT && next == State.CALL) || (state == State.CALL && next == State.TEXT);
        if (!callEdge) {
            endSegment();
        }
        state = next;
    }

    /** Drops whitespace held at the end of the segment that ends, so no block ends with it. */
    private void endSegment() {
        heldSpace.setLength(0);
        segmentStarted = false;
    }

    private void emitText(String s) throws IOException {
        String body = trimForBlock(s);
        if (!body.isEmpty()) {
            out.text(body);
            anyOutput = true;
        }
    }

    private void emitThinking(String s) throws IOException {
        String body = trimForBlock(s);
        if (!body.isEmpty() && emitThinking) {
            out.thinking(body);
        }
    }

    /**
     * The part of {@code s} to emit now: leading whitespace of a segment dropped, trailing whitespace
     * held until something follows it in the same segment.
     */
    private String trimForBlock(String s) {
        if (!segmentStarted) {
            s = s.stripLeading();
            if (s.isEmpty()) {
                return "";
            }
            segmentStarted = true;
        }
        int end = s.length();
        while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        if (end == 0) {
            heldSpace.append(s);
            return "";
        }
        String body = heldSpace + s.substring(0, end);
        heldSpace.setLength(0);
        heldSpace.append(s, end, s.length());
        return body;
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of one of {@code tags}. */
    static int partialTag(CharSequence text, String[] tags) {
        int best = 0;
        for (String tag : tags) {
            for (int k = Math.min(tag.length() - 1, text.length()); k > best; k--) {
                if (tag.startsWith(text.subSequence(text.length() - k, text.length()).toString())) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }
}
