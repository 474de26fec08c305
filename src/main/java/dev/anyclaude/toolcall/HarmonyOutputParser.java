package dev.anyclaude.toolcall;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * gpt-oss harmony: the output is a run of messages, each a header ({@code <|start|>assistant},
 * {@code <|channel|>NAME}, an optional recipient {@code to=..} and {@code <|constrain|>..}) and a body after
 * {@code <|message|>} that ends at {@code <|end|>}, {@code <|call|>} or {@code <|return|>}. The analysis channel
 * is thinking and final or commentary is text; a message to {@code functions.NAME} is a call whose body is the JSON
 * arguments, reported once the object closes. Messages to other recipients (built-in tools the request did not
 * offer) are dropped, as llama.cpp does.
 */
final class HarmonyOutputParser implements OutputParser {
    private static final String MESSAGE = "<|message|>";
    private static final List<String> BODY_ENDS =
            List.of("<|end|>", "<|call|>", "<|return|>", "<|start|>", "<|channel|>");
    private static final List<String> HEADER_STARTS = List.of("<|channel|>", "<|start|>", " to=", "to=");
    private static final Pattern CHANNEL = Pattern.compile("<\\|channel\\|>\\s*(\\w+)");
    private static final Pattern RECIPIENT = Pattern.compile("to=([^\\s<]+)");

    private enum State {
        START,
        HEADER,
        TEXT,
        THINKING,
        CALL,
        DROPPED,
        BETWEEN
    }

    private final OutputListener listener;
    private final StringBuilder pending = new StringBuilder();
    private State state = State.START;
    private String header = "";
    private @Nullable String callName;

    HarmonyOutputParser(OutputListener listener) {
        this.listener = listener;
    }

    @Override
    public void feed(String piece) throws IOException {
        pending.append(piece);
        drain(false);
    }

    @Override
    public void finish(boolean truncated) throws IOException {
        drain(true);
        if (state == State.CALL || (state == State.HEADER && header.contains("to=functions."))) {
            report(true, header + pending);
        }
        pending.setLength(0);
    }

    private void drain(boolean ended) throws IOException {
        while (!pending.isEmpty()) {
            switch (state) {
                case START -> {
                    if (startsWithAny(HEADER_STARTS)) {
                        state = State.HEADER;
                    } else if (!ended && isStartOfAny(HEADER_STARTS)) {
                        return;
                    } else {
                        state = State.TEXT;
                    }
                }
                case BETWEEN -> {
                    skipWhitespaceAndEnds();
                    if (pending.isEmpty() || (!ended && isStartOfAny(BODY_ENDS))) {
                        return;
                    }
                    state = State.HEADER;
                }
                case HEADER -> {
                    int m = pending.indexOf(MESSAGE);
                    if (m < 0) {
                        return;
                    }
                    header = pending.substring(0, m + MESSAGE.length());
                    pending.delete(0, m + MESSAGE.length());
                    state = bodyState();
                }
                case TEXT, THINKING, DROPPED -> {
                    if (!drainBody(ended)) {
                        return;
                    }
                }
                case CALL -> {
                    if (!drainCall()) {
                        return;
                    }
                }
            }
        }
    }

    private void skipWhitespaceAndEnds() {
        boolean skipped = true;
        while (skipped) {
            skipped = false;
            while (!pending.isEmpty() && Character.isWhitespace(pending.charAt(0))) {
                pending.deleteCharAt(0);
                skipped = true;
            }
            for (String end : List.of("<|end|>", "<|call|>", "<|return|>")) {
                if (pending.indexOf(end) == 0) {
                    pending.delete(0, end.length());
                    skipped = true;
                }
            }
        }
    }

    private State bodyState() {
        String channel = "final";
        Matcher c = CHANNEL.matcher(header);
        while (c.find()) {
            channel = c.group(1);
        }
        Matcher r = RECIPIENT.matcher(header);
        String recipient = null;
        while (r.find()) {
            recipient = r.group(1);
        }
        if (recipient != null && recipient.startsWith("functions.")) {
            callName = recipient.substring("functions.".length());
            return State.CALL;
        }
        if (recipient != null && !recipient.equals("assistant")) {
            return State.DROPPED;
        }
        header = "";
        return channel.equals("analysis") ? State.THINKING : State.TEXT;
    }

    /** Reports a text or thinking body up to its end; false when it has to wait for more text. */
    private boolean drainBody(boolean ended) throws IOException {
        int at = -1;
        for (String end : BODY_ENDS) {
            int i = pending.indexOf(end);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
            }
        }
        int length = at >= 0 ? at : pending.length() - (ended ? 0 : Markers.heldTail(pending, BODY_ENDS));
        if (length > 0 && state != State.DROPPED) {
            report(state == State.TEXT, pending.substring(0, length));
        }
        pending.delete(0, length);
        if (at >= 0) {
            state = State.BETWEEN;
            return true;
        }
        return false;
    }

    /** Reports the call once its JSON closes (or its raw text when the body is not JSON); false to wait. */
    private boolean drainCall() throws IOException {
        int start = 0;
        while (start < pending.length() && Character.isWhitespace(pending.charAt(start))) {
            start++;
        }
        int end = JsonText.end(pending.toString(), start);
        if (end == JsonText.INCOMPLETE) {
            return false;
        }
        String name = callName; // set with State.CALL
        ToolCall call = end == JsonText.INVALID || name == null
                ? null
                : CallFormat.fromArguments(name, JsonText.parse(pending.substring(start, end)));
        if (call == null) {
            listener.text(header);
            header = "";
            state = State.TEXT;
            return true;
        }
        listener.toolCallStart(call.name());
        for (String fragment : call.argumentFragments()) {
            listener.toolCallArguments(fragment);
        }
        listener.toolCallEnd();
        pending.delete(0, end);
        header = "";
        state = State.BETWEEN;
        return true;
    }

    private void report(boolean text, String s) throws IOException {
        if (s.isEmpty()) {
            return;
        }
        if (text) {
            listener.text(s);
        } else {
            listener.thinking(s);
        }
    }

    private boolean startsWithAny(List<String> markers) {
        for (String m : markers) {
            if (pending.length() >= m.length() && pending.indexOf(m) == 0) {
                return true;
            }
        }
        return false;
    }

    private boolean isStartOfAny(List<String> markers) {
        for (String m : markers) {
            if (pending.length() < m.length() && m.startsWith(pending.toString())) {
                return true;
            }
        }
        return false;
    }
}
