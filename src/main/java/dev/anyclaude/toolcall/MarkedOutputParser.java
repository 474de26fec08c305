package dev.anyclaude.toolcall;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The parser of every format whose calls and thinking are marked in the text: text goes out as it comes except a
 * tail that may be the start of a marker; thinking is enclosed in think tags; a call block is held until it is
 * complete and then reported whole, so a call cut off by the end of generation is never reported as a call.
 */
final class MarkedOutputParser implements OutputParser {
    private final CallFormat format;
    private final OutputListener listener;
    private final List<String> markers = new ArrayList<>();
    private final StringBuilder pending = new StringBuilder();
    private @Nullable String thinkClose;
    /** Generation was cut off (max tokens), not ended by the model. */
    private boolean truncated;

    private boolean skipWhitespace;
    private boolean thinkingStarted;

    MarkedOutputParser(CallFormat format, ParserOptions options, OutputListener listener) {
        this.format = format;
        this.listener = listener;
        markers.addAll(format.openers());
        List<String> tags = format.thinkTags();
        for (int i = 0; i < tags.size(); i += 2) {
            markers.add(tags.get(i));
        }
        if (options.startInThinking() && !tags.isEmpty()) {
            thinkClose = tags.get(1);
        }
    }

    @Override
    public void feed(String piece) throws IOException {
        pending.append(piece);
        drain(false);
    }

    @Override
    public void finish(boolean truncated) throws IOException {
        this.truncated = truncated;
        drain(true);
    }

    private void drain(boolean ended) throws IOException {
        while (!pending.isEmpty()) {
            String close = thinkClose;
            if (close != null) {
                if (!drainThinking(close, ended)) {
                    return;
                }
                continue;
            }
            if (skipWhitespace) {
                int i = 0;
                while (i < pending.length() && Character.isWhitespace(pending.charAt(i))) {
                    i++;
                }
                pending.delete(0, i);
                if (pending.isEmpty()) {
                    return;
                }
                skipWhitespace = false;
            }
            int at = -1;
            String marker = null;
            for (String m : markers) {
                int i = pending.indexOf(m);
                if (i >= 0 && (at < 0 || i < at)) {
                    at = i;
                    marker = m;
                }
            }
            if (marker == null) {
                int keep = ended ? 0 : Markers.heldTail(pending, markers);
                text(pending.length() - keep);
                return;
            }
            text(at);
            int thinkTag = format.thinkTags().indexOf(marker);
            if (thinkTag >= 0 && thinkTag % 2 == 0) {
                pending.delete(0, marker.length());
                thinkClose = format.thinkTags().get(thinkTag + 1);
                continue;
            }
            switch (format.read(pending.toString(), ended, truncated)) {
                case CallFormat.Read.More more -> {
                    return;
                }
                case CallFormat.Read.NotACall notACall -> text(marker.length());
                case CallFormat.Read.Calls calls -> {
                    for (ToolCall call : calls.calls()) {
                        listener.toolCallStart(call.name());
                        for (String fragment : call.argumentFragments()) {
                            listener.toolCallArguments(fragment);
                        }
                        listener.toolCallEnd();
                    }
                    pending.delete(0, calls.length());
                    skipWhitespace = true;
                }
            }
        }
    }

    /** Reports thinking up to its close tag; false when it has to wait for more text. */
    private boolean drainThinking(String closeTag, boolean ended) throws IOException {
        if (!thinkingStarted) {
            int i = 0;
            while (i < pending.length() && Character.isWhitespace(pending.charAt(i))) {
                i++;
            }
            pending.delete(0, i);
            thinkingStarted = !pending.isEmpty();
        }
        int close = pending.indexOf(closeTag);
        if (close >= 0) {
            thinking(withoutTrailingWhitespace(close));
            pending.delete(0, pending.indexOf(closeTag) + closeTag.length());
            thinkClose = null;
            thinkingStarted = false;
            skipWhitespace = true;
            return true;
        }
        int keep = ended ? 0 : Markers.heldTail(pending, List.of(closeTag));
        thinking(withoutTrailingWhitespace(pending.length() - keep));
        if (ended) {
            pending.setLength(0);
        }
        return false;
    }

    /** Thinking is reported without the whitespace around it (as llama.cpp trims it): a tail of it waits. */
    private int withoutTrailingWhitespace(int length) {
        while (length > 0 && Character.isWhitespace(pending.charAt(length - 1))) {
            length--;
        }
        return length;
    }

    private void text(int length) throws IOException {
        if (length > 0) {
            listener.text(pending.substring(0, length));
            pending.delete(0, length);
        }
    }

    private void thinking(int length) throws IOException {
        if (length > 0) {
            listener.thinking(pending.substring(0, length));
            pending.delete(0, length);
        }
    }
}
