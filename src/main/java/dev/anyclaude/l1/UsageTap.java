package dev.anyclaude.l1;

import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import java.io.IOException;

/** Passes a response's events on and keeps what the accounting needs: whether it began, and its final usage. */
final class UsageTap implements EventSink {
    private final EventSink delegate;
    private volatile boolean answered;
    private volatile Usage usage;

    UsageTap(EventSink delegate) {
        this.delegate = delegate;
    }

    @Override
    public void accept(StreamEvent event) throws IOException {
        answered = true;
        if (event instanceof StreamEvent.MessageDelta d && d.usage() != null) {
            usage = d.usage();
        }
        delegate.accept(event);
    }

    /** Whether the server answered at all (so the slot's contents changed). */
    boolean answered() {
        return answered;
    }

    /** The usage of the final {@code message_delta}, or null when the response did not get that far. */
    Usage usage() {
        return usage;
    }
}
