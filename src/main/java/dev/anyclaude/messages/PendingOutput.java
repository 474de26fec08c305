package dev.anyclaude.messages;

import java.io.FilterInputStream;
import java.io.Flushable;
import java.io.IOException;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * Client output that was written but not yet flushed, held back while the producing thread has more to
 * write at once.
 *
 * <p>A producer that reads its events from a source it may have to wait on (a model server's SSE body)
 * opens a {@link #batch()} around its read loop and calls {@link #flush()} before every read that may
 * block. Events that arrived together then leave in one write instead of one write each, and nothing is
 * held back while the producer waits. Without an open batch on the writing thread, every event is flushed
 * as it is written, so a producer that makes no such promise (the embedded engine, a cache replay) is
 * never delayed.
 */
public final class PendingOutput {
    private static final ThreadLocal<Batch> CURRENT = new ThreadLocal<>();

    private PendingOutput() {}

    /** Opens a batch on this thread; closing it flushes what is pending and ends the batch. */
    public static Batch batch() {
        Batch b = new Batch(CURRENT.get());
        CURRENT.set(b);
        return b;
    }

    /** Flushes this thread's pending output, if any: call it before a read that may block. */
    public static void flush() throws IOException {
        Batch b = CURRENT.get();
        if (b != null) {
            b.flush();
        }
    }

    /** {@code in}, flushing this thread's pending output before each read (a read may block). */
    public static InputStream flushingBeforeReads(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                flush();
                return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                flush();
                return super.read(b, off, len);
            }
        };
    }

    /**
     * Whether {@code target} may leave its output unflushed for now: true when this thread has an open
     * batch, which then flushes {@code target} before the thread next waits or when the batch ends.
     */
    public static boolean defer(Flushable target) throws IOException {
        Batch b = CURRENT.get();
        if (b == null) {
            return false;
        }
        if (b.pending != null && b.pending != target) {
            b.flush();
        }
        b.pending = target;
        return true;
    }

    /** One open batch; batches nest, and the inner one's end flushes only what it deferred. */
    public static final class Batch implements AutoCloseable {
        private final @Nullable Batch outer;
        private @Nullable Flushable pending;

        private Batch(@Nullable Batch outer) {
            this.outer = outer;
        }

        private void flush() throws IOException {
            Flushable f = pending;
            if (f != null) {
                pending = null;
                f.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
            flush();
        }
    }
}
