package dev.anyclaude.translate;

import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import java.io.IOException;
import java.util.List;

/**
 * Enforces a request's {@code stop_sequences} in the gateway, whatever the backend supports: it sits
 * between a backend and the client's sink and watches text deltas.
 *
 * <p>Text streams through except a tail that could be the start of a stop sequence, which is held until
 * the next delta decides it (or the block ends). On a match it emits the text before the sequence,
 * closes the block, emits {@code message_delta} with {@code stop_reason: stop_sequence}, the sequence and
 * the usage known so far, and {@code message_stop}; then it throws {@link GenerationStopped} so that the
 * backend cancels its upstream work. Usage the backend would have reported later (most servers send it
 * in the last chunk) is lost by design: waiting for it would mean generating tokens nobody reads. The
 * usage sent is the one of {@code message_start}. Events after the stop are ignored.
 *
 * <p>Stop sequences apply to text blocks only, within one block, as Anthropic applies them to the answer.
 */
public final class StopSequenceFilter implements EventSink {
    private final EventSink downstream;
    private final List<String> stopSequences;
    private final int longest;
    private final StringBuilder held = new StringBuilder();
    private int textIndex = -1;
    private Usage usageSoFar = Usage.ZERO;
    private boolean stopped;

    public StopSequenceFilter(EventSink downstream, List<String> stopSequences) {
        this.downstream = downstream;
        this.stopSequences = stopSequences.stream().filter(s -> !s.isEmpty()).toList();
        this.longest =
                this.stopSequences.stream().mapToInt(String::length).max().orElse(0);
    }

    /** A sink that filters {@code downstream} when there are stop sequences, else {@code downstream} itself. */
    public static EventSink wrap(EventSink downstream, List<String> stopSequences) {
        return stopSequences == null || stopSequences.stream().allMatch(String::isEmpty)
                ? downstream
                : new StopSequenceFilter(downstream, stopSequences);
    }

    /** Whether a stop sequence ended the response. */
    public boolean stopped() {
        return stopped;
    }

    @Override
    public void accept(StreamEvent event) throws IOException {
        if (stopped) {
            return;
        }
        switch (event) {
            case StreamEvent.MessageStart s -> {
                if (s.usage() != null) {
                    usageSoFar = s.usage();
                }
                downstream.accept(event);
            }
            case StreamEvent.BlockStart s -> {
                flush();
                textIndex = s.block() instanceof StreamEvent.TextBlock ? s.index() : -1;
                downstream.accept(event);
            }
            case StreamEvent.BlockDelta d
            when d.index() == textIndex && d.delta() instanceof StreamEvent.TextDelta t -> text(t.text());
            case StreamEvent.BlockStop s -> {
                flush();
                textIndex = -1;
                downstream.accept(event);
            }
            case StreamEvent.Ping p -> downstream.accept(event); // keeps held text held: it may still match
            default -> {
                flush();
                downstream.accept(event);
            }
        }
    }

    private void text(String text) throws IOException {
        held.append(text); // what was held is shorter than any stop sequence: search it all
        int at = -1;
        String match = null;
        for (String s : stopSequences) {
            int i = held.indexOf(s);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
                match = s;
            }
        }
        if (match != null) {
            if (at > 0) {
                downstream.accept(
                        new StreamEvent.BlockDelta(textIndex, new StreamEvent.TextDelta(held.substring(0, at))));
            }
            held.setLength(0);
            stopped = true;
            downstream.accept(new StreamEvent.BlockStop(textIndex));
            downstream.accept(new StreamEvent.MessageDelta(StopReason.STOP_SEQUENCE, match, usageSoFar));
            downstream.accept(StreamEvent.MESSAGE_STOP);
            throw new GenerationStopped(match);
        }
        int keep = possibleStartLength();
        if (held.length() > keep) {
            String out = held.substring(0, held.length() - keep);
            held.delete(0, held.length() - keep);
            downstream.accept(new StreamEvent.BlockDelta(textIndex, new StreamEvent.TextDelta(out)));
        }
    }

    /** The length of the longest tail of {@code held} that is a proper prefix of a stop sequence. */
    private int possibleStartLength() {
        int len = held.length();
        for (int k = Math.min(longest - 1, len); k > 0; k--) {
            for (String s : stopSequences) {
                if (s.length() > k && startsWithTail(s, len - k)) {
                    return k;
                }
            }
        }
        return 0;
    }

    private boolean startsWithTail(String s, int from) {
        for (int i = from, j = 0; i < held.length(); i++, j++) {
            if (held.charAt(i) != s.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    private void flush() throws IOException {
        if (!held.isEmpty()) {
            String out = held.toString();
            held.setLength(0);
            downstream.accept(new StreamEvent.BlockDelta(textIndex, new StreamEvent.TextDelta(out)));
        }
    }
}
