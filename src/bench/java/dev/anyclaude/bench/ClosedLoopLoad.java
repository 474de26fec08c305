package dev.anyclaude.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop load: {@code concurrency} clients, each on its own keep-alive connection, send the next
 * request as soon as the previous answer is complete, until {@code requests} were sent or the time limit
 * passed, whichever comes first. Every response is checked (status 200 and the expected body content), so
 * a fast wrong answer counts as an error, never as throughput.
 */
final class ClosedLoopLoad {
    private ClosedLoopLoad() {}

    /**
     * The figures of one load phase.
     *
     * @param completed requests answered correctly
     * @param errors requests that failed (transport error, wrong status or body)
     * @param firstError the first failure, or null
     * @param wallNanos from the start of the first request to the end of the last
     * @param latencyNanos sorted latencies (write start to last body byte) of the correct answers
     * @param firstByteNanos sorted times to the first response byte of the correct answers
     */
    record Result(
            int completed, int errors, String firstError, long wallNanos, long[] latencyNanos, long[] firstByteNanos) {

        double requestsPerSecond() {
            return wallNanos == 0 ? 0 : completed * 1e9 / wallNanos;
        }

        /** The {@code q}-quantile (0..1) of latency in milliseconds, nearest rank; NaN when empty. */
        double latencyMs(double q) {
            return quantile(latencyNanos, q);
        }

        double firstByteMs(double q) {
            return quantile(firstByteNanos, q);
        }

        private static double quantile(long[] sorted, double q) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(q * sorted.length);
            return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)] / 1e6;
        }
    }

    static Result run(LoadTarget target, int concurrency, int requests, Duration limit) throws InterruptedException {
        if (concurrency < 1 || requests < 1) {
            throw new IllegalArgumentException("concurrency and requests must be positive");
        }
        AtomicInteger issued = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        long[][] latencies = new long[concurrency][];
        long[][] firstBytes = new long[concurrency][];
        int[] counts = new int[concurrency];
        CountDownLatch ready = new CountDownLatch(concurrency);
        CountDownLatch go = new CountDownLatch(1);
        Thread[] workers = new Thread[concurrency];
        long[] deadline = new long[1];
        for (int w = 0; w < concurrency; w++) {
            int me = w;
            latencies[w] = new long[requests];
            firstBytes[w] = new long[requests];
            workers[w] = Thread.ofPlatform().name("bench-client-" + w).daemon().start(() -> {
                try (LoadConnection conn = new LoadConnection(target.port())) {
                    ready.countDown();
                    go.await();
                    while (System.nanoTime() < deadline[0] && issued.getAndIncrement() < requests) {
                        try {
                            LoadConnection.Response r = conn.exchange(target.request());
                            String bad = check(target, conn, r);
                            if (bad == null) {
                                latencies[me][counts[me]] = r.totalNanos();
                                firstBytes[me][counts[me]] = r.firstByteNanos();
                                counts[me]++;
                            } else {
                                errors.incrementAndGet();
                                firstError.compareAndSet(null, bad);
                            }
                        } catch (IOException | RuntimeException e) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, e.toString());
                            conn.close();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        ready.await();
        long start = System.nanoTime();
        deadline[0] = start + limit.toNanos();
        go.countDown();
        for (Thread t : workers) {
            t.join();
        }
        long wall = System.nanoTime() - start;
        int total = Arrays.stream(counts).sum();
        long[] lat = new long[total];
        long[] fb = new long[total];
        int at = 0;
        for (int w = 0; w < concurrency; w++) {
            System.arraycopy(latencies[w], 0, lat, at, counts[w]);
            System.arraycopy(firstBytes[w], 0, fb, at, counts[w]);
            at += counts[w];
        }
        Arrays.sort(lat);
        Arrays.sort(fb);
        return new Result(total, errors.get(), firstError.get(), wall, lat, fb);
    }

    private static String check(LoadTarget target, LoadConnection conn, LoadConnection.Response r) {
        if (r.status() != 200) {
            return target.name() + ": HTTP " + r.status() + ": " + conn.bodyPreview();
        }
        for (byte[] must : target.mustContain()) {
            if (!conn.bodyContains(must)) {
                return target.name() + ": incomplete answer (no "
                        + new String(must, java.nio.charset.StandardCharsets.US_ASCII) + "): " + conn.bodyPreview();
            }
        }
        return null;
    }
}
