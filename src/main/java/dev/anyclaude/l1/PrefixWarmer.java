package dev.anyclaude.l1;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs warm-ups (prompt prefills without output, state snapshots) in the background, one at a time and
 * only while no real request is in flight.
 *
 * <p>Why only then: a model server shares its compute between everything it is processing, so a warm
 * that runs beside a real request slows that request down by about the warm's own cost — and a warm of
 * the same prefix beside the request that needs it saves nothing at all. So a real request arriving
 * cancels the running warm (interrupting its thread abandons its HTTP request; llama.cpp stops the task
 * after its current batch and keeps what it had already prefilled), and the warm is tried again, resuming
 * from the server's cache, the next time the gateway is idle.
 */
final class PrefixWarmer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PrefixWarmer.class);
    static final int MAX_ATTEMPTS = 3;

    /** One warm-up; interruption means it was cancelled. */
    interface Warm {
        /** Runs it; returns false when it no longer applies (nothing was done). */
        boolean run() throws IOException, InterruptedException;
    }

    private record Pending(String name, Warm warm, boolean cancellable, int attempt) {}

    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Thread worker;
    private int inFlight;
    private Pending running;
    private Thread runner;
    private boolean closed;
    private long done;
    private long skipped;
    private long cancelled;
    private long failed;

    PrefixWarmer() {
        worker = Thread.ofVirtual().name("anyclaude-warm").start(this::loop);
    }

    /**
     * Queues a warm; it runs when the gateway is idle. A {@code cancellable} one (a prefill) is cancelled when
     * a request arrives; another (a state save, which the server would finish anyway) runs to its end.
     */
    synchronized void submit(String name, boolean cancellable, Warm warm) {
        if (!closed) {
            queue.addLast(new Pending(name, warm, cancellable, 1));
            notifyAll();
        }
    }

    /** A real request began: cancel the running warm, hold the others back. */
    synchronized void requestStarted() {
        inFlight++;
        cancelRunning();
    }

    synchronized void requestEnded() {
        inFlight--;
        if (inFlight == 0 && !queue.isEmpty()) {
            notifyAll(); // only then can the warmer go on: waking it after every request would cost a hand-off each
        }
    }

    /** Drops the queued warms and cancels the running one (for DELETE /cache). */
    synchronized void discard() {
        queue.clear();
        cancelRunning();
    }

    private void cancelRunning() {
        if (running != null && running.cancellable()) {
            runner.interrupt();
        }
    }

    synchronized Map<String, Object> figures() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("queued", queue.size());
        out.put("running", running != null);
        out.put("done", done);
        out.put("skipped", skipped);
        out.put("cancelled", cancelled);
        out.put("failed", failed);
        return out;
    }

    synchronized void resetCounters() {
        done = skipped = cancelled = failed = 0;
    }

    private void loop() {
        while (true) {
            Pending p;
            synchronized (this) {
                try {
                    while (!closed && (queue.isEmpty() || inFlight > 0)) {
                        wait();
                    }
                } catch (InterruptedException e) {
                    if (closed) {
                        return;
                    }
                    continue;
                }
                if (closed) {
                    return;
                }
                p = queue.pollFirst();
                running = p;
                runner = Thread.currentThread();
            }
            Outcome outcome = runOne(p);
            synchronized (this) {
                running = null;
                runner = null;
                Thread.interrupted(); // a cancel that came after the warm had finished
                switch (outcome) {
                    case DONE -> done++;
                    case SKIPPED -> skipped++;
                    case FAILED -> failed++;
                    case CANCELLED -> {
                        cancelled++;
                        if (p.attempt() < MAX_ATTEMPTS && !closed) {
                            queue.addFirst(new Pending(p.name(), p.warm(), p.cancellable(), p.attempt() + 1));
                        }
                    }
                }
            }
        }
    }

    private enum Outcome {
        DONE,
        SKIPPED,
        CANCELLED,
        FAILED
    }

    private Outcome runOne(Pending p) {
        try {
            return p.warm().run() ? Outcome.DONE : Outcome.SKIPPED;
        } catch (InterruptedException | InterruptedIOException e) {
            log.debug("warm {} cancelled (attempt {}): a request arrived", p.name(), p.attempt());
            return Outcome.CANCELLED;
        } catch (GatewayException e) {
            if (e.kind() == ErrorKind.CANCELLED || Thread.currentThread().isInterrupted()) {
                return Outcome.CANCELLED;
            }
            log.warn("warm {} failed: {}", p.name(), e.getMessage());
            return Outcome.FAILED;
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                return Outcome.CANCELLED;
            }
            log.warn("warm {} failed: {}", p.name(), e.toString());
            return Outcome.FAILED;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            queue.clear();
            notifyAll();
            cancelRunning();
            if (running == null) {
                worker.interrupt();
            }
        }
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
