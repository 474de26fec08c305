package dev.anyclaude.observe;

import dev.anyclaude.messages.RequestObserver.RequestInfo;
import dev.anyclaude.messages.StreamEvent;

/**
 * Receives what the {@link RequestMeter} sees of each request: its start, the response cache's decision,
 * each response event (for the debug log at level 3), and the finished {@link RequestRecord}. Metrics, the
 * request log and the debug log are listeners; calls for one request come from its own thread, calls for
 * different requests concurrently.
 */
public interface RequestListener {
    default void started(RequestInfo info) {}

    default void cache(RequestInfo info, String outcome) {}

    default void event(RequestInfo info, StreamEvent event) {}

    void finished(RequestRecord record);
}
