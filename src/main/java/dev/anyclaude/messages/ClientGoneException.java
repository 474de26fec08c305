package dev.anyclaude.messages;

import java.io.IOException;

/**
 * The client closed its connection while its answer was being written. A producer that sees it (from an
 * {@link EventSink} or from {@link PendingOutput#flush()}) stops and cancels its upstream work.
 */
public final class ClientGoneException extends IOException {
    public ClientGoneException() {
        super("client closed the connection", null);
    }
}
