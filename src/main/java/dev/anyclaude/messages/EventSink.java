package dev.anyclaude.messages;

import java.io.IOException;

/**
 * Where a backend pushes the events of one response. An {@link IOException} means the consumer (the
 * client) is gone: the producer must stop and cancel its upstream work.
 */
@FunctionalInterface
public interface EventSink {
    void accept(StreamEvent event) throws IOException;
}
