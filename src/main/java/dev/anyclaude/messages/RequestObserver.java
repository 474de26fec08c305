package dev.anyclaude.messages;

import org.jspecify.annotations.Nullable;

/**
 * Watches requests as they pass through the gateway — metrics, the request log, the debug log — without
 * the stages knowing about it: the pipeline opens an {@link Exchange} per request, routes the response
 * events through {@link Exchange#tap}, and closes it with the outcome.
 */
public interface RequestObserver {

    /**
     * What is known about a request when it starts.
     *
     * @param streamKey the conversation stream it belongs to (session and agent), or null
     * @param divergence where its prompt left the stream's previous one, in words, or null when it only extended
     *     it (or is the stream's first)
     */
    record RequestInfo(
            String requestId,
            String route,
            String requestedModel,
            String backendModel,
            String backend,
            @Nullable String session,
            boolean stream,
            MessagesRequest request,
            @Nullable String streamKey,
            @Nullable String divergence) {

        public RequestInfo(
                String requestId,
                String route,
                String requestedModel,
                String backendModel,
                String backend,
                @Nullable String session,
                boolean stream,
                MessagesRequest request) {
            this(requestId, route, requestedModel, backendModel, backend, session, stream, request, null, null);
        }
    }

    Exchange begin(RequestInfo info);

    /** One request in flight. */
    interface Exchange {
        /** Wraps the sink the response events go to, to see them (first byte, usage, stop reason). */
        default EventSink tap(EventSink downstream) {
            return downstream;
        }

        /** Notes how the response cache answered: hit, miss or off. */
        default void cache(String outcome) {}

        /** Ends the exchange: {@code failure} is null on success, else the classified failure. */
        void end(@Nullable GatewayException failure, boolean clientLeft);
    }

    RequestObserver NONE = info -> (failure, clientLeft) -> {};
}
