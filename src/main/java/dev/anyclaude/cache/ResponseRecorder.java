package dev.anyclaude.cache;

import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.StreamEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An event sink that forwards every event to the client's sink and keeps a copy, storing it in the
 * response cache once the response has ended cleanly.
 *
 * <p>Clean means: a {@code message_start} first, content blocks opened, filled and stopped in index order,
 * one {@code message_delta}, then {@code message_stop}; no {@code error} event; the copy within the entry
 * size limit. Anything else (an error, a stream cut short, a sink that threw before the end, a broken
 * sequence) is never stored. Pings are forwarded but not kept. A response whose last event reached the
 * recorder is stored even if the client left while it was being delivered: the answer is complete, and a
 * retrying client is exactly who the cache is for.
 *
 * <p>Use it in try-with-resources around the backend call; {@link #close} counts a stream that never
 * finished. Not thread-safe: one response, one producer.
 */
public final class ResponseRecorder implements EventSink, AutoCloseable {
    private enum State {
        RECORDING,
        COMPLETE,
        DONE
    }

    private final ResponseCache cache;
    private final @Nullable CacheKey key;
    private final EventSink downstream;
    private final long maxEntryBytes;
    private State state;
    private @Nullable List<StreamEvent> events = new ArrayList<>();
    private long bytes;
    private boolean started;
    private int openBlock = -1;
    private int nextBlock;
    private boolean delta;

    ResponseRecorder(ResponseCache cache, @Nullable CacheKey key, EventSink downstream, long maxEntryBytes) {
        this.cache = cache;
        this.key = key;
        this.downstream = downstream;
        this.maxEntryBytes = maxEntryBytes;
        this.state = key == null ? State.DONE : State.RECORDING;
        this.bytes = key == null ? 0 : key.canonical().length;
    }

    /** Whether this recorder will store the answer if the response ends cleanly. */
    public boolean recording() {
        return state == State.RECORDING;
    }

    @Override
    public void accept(StreamEvent event) throws IOException {
        if (state == State.RECORDING) {
            record(event);
        }
        if (state == State.COMPLETE) {
            // Stored before message_stop is passed on: it ends the client's response, and the client may send
            // the same request again the moment it has it.
            state = State.DONE;
            List<StreamEvent> answer = events;
            events = null;
            // COMPLETE is reached only by recording, which needs a key and keeps its events
            cache.store(Objects.requireNonNull(key), Objects.requireNonNull(answer));
        }
        try {
            downstream.accept(event);
        } catch (IOException | RuntimeException e) {
            if (state == State.RECORDING) {
                reject(false);
            }
            throw e;
        }
    }

    /** Ends recording; a response that has not completed by now is counted as not clean. */
    @Override
    public void close() {
        if (state == State.RECORDING) {
            reject(false);
        }
    }

    private void record(StreamEvent event) {
        boolean valid = switch (event) {
            case StreamEvent.Ping p -> true;
            case StreamEvent.MessageStart s -> {
                boolean ok = !started;
                started = true;
                yield ok;
            }
            case StreamEvent.BlockStart s -> {
                boolean ok = started && !delta && openBlock < 0 && s.index() == nextBlock && s.block() != null;
                openBlock = s.index();
                nextBlock++;
                yield ok;
            }
            case StreamEvent.BlockDelta d -> started && d.index() == openBlock && d.delta() != null;
            case StreamEvent.BlockStop s -> {
                boolean ok = started && s.index() == openBlock;
                openBlock = -1;
                yield ok;
            }
            case StreamEvent.MessageDelta d -> {
                boolean ok = started && !delta && openBlock < 0;
                delta = true;
                yield ok;
            }
            case StreamEvent.MessageStop s -> started && delta && openBlock < 0;
            case StreamEvent.Error e -> false;
        };
        if (!valid) {
            reject(false);
            return;
        }
        if (event instanceof StreamEvent.Ping) {
            return;
        }
        bytes += StoredResponse.estimate(event) + 8;
        if (bytes > maxEntryBytes) {
            reject(true);
            return;
        }
        Objects.requireNonNull(events, "recording keeps its events").add(event);
        if (event instanceof StreamEvent.MessageStop) {
            state = State.COMPLETE;
        }
    }

    private void reject(boolean tooBig) {
        state = State.DONE;
        events = null;
        cache.rejected(tooBig);
    }
}
