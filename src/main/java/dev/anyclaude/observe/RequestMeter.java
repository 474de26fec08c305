package dev.anyclaude.observe;

import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.RequestObserver;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import dev.anyclaude.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link RequestObserver} of the gateway: measures each request once — time to first token, decode
 * time, final usage, stop reason, cache decision, failure — and hands the finished {@link RequestRecord}
 * to its listeners (metrics, request log, debug log), so the request path carries one observer however
 * many consumers there are.
 */
public final class RequestMeter implements RequestObserver {
    private final List<RequestListener> listeners;
    private final Clock clock;
    private final boolean keepEvents;

    /**
     * @param keepEvents keep each response's events for the listeners (request bodies, failure dumps)
     */
    public RequestMeter(List<RequestListener> listeners, Clock clock, boolean keepEvents) {
        this.listeners = List.copyOf(listeners);
        this.clock = clock;
        this.keepEvents = keepEvents;
    }

    @Override
    public Exchange begin(RequestInfo info) {
        Measured m = new Measured(info, clock.instant(), clock.nanoTime());
        for (RequestListener l : listeners) {
            l.started(info);
        }
        return m;
    }

    private final class Measured implements Exchange {
        private final RequestInfo info;
        private final Instant startedAt;
        private final long start;
        private final List<StreamEvent> events = keepEvents ? new ArrayList<>() : List.of();
        private long firstDelta = -1;
        private long lastDelta = -1;
        private Usage usage = Usage.ZERO;
        private StopReason stopReason;
        private String cache = "off";
        private boolean ended;

        Measured(RequestInfo info, Instant startedAt, long start) {
            this.info = info;
            this.startedAt = startedAt;
            this.start = start;
        }

        @Override
        public EventSink tap(EventSink downstream) {
            return event -> {
                see(event);
                downstream.accept(event);
            };
        }

        private void see(StreamEvent event) {
            switch (event) {
                case StreamEvent.BlockDelta d -> {
                    long now = clock.nanoTime();
                    if (firstDelta < 0) {
                        firstDelta = now;
                    }
                    lastDelta = now;
                }
                case StreamEvent.MessageStart s -> {
                    if (s.usage() != null) {
                        usage = s.usage();
                    }
                }
                case StreamEvent.MessageDelta d -> {
                    if (d.usage() != null) {
                        usage = d.usage();
                    }
                    stopReason = d.stopReason();
                }
                default -> {}
            }
            if (keepEvents) {
                events.add(event);
            }
            for (RequestListener l : listeners) {
                l.event(info, event);
            }
        }

        @Override
        public void cache(String outcome) {
            cache = outcome;
            for (RequestListener l : listeners) {
                l.cache(info, outcome);
            }
        }

        @Override
        public void end(GatewayException failure, boolean clientLeft) {
            if (ended) {
                return;
            }
            ended = true;
            long now = clock.nanoTime();
            RequestRecord r = new RequestRecord(
                    info,
                    startedAt,
                    cache,
                    firstDelta < 0 ? -1 : firstDelta - start,
                    now - start,
                    firstDelta < 0 ? 0 : lastDelta - firstDelta,
                    usage,
                    stopReason,
                    failure,
                    clientLeft,
                    keepEvents ? List.copyOf(events) : List.of());
            for (RequestListener l : listeners) {
                l.finished(r);
            }
        }
    }
}
