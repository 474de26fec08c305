package dev.anyclaude.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.UnixOperatingSystemMXBean;
import com.sun.net.httpserver.HttpServer;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.testing.Chunks;
import dev.anyclaude.testing.GatewayFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * 10,000 streamed requests at concurrency 64 through the real gateway to a stub backend: every one must
 * succeed, and afterwards no thread, connection or heap may have been left behind. The run is bounded (5
 * minutes) and sized by {@code -Danyclaude.load.requests} / {@code -Danyclaude.load.concurrency} (see
 * docs/operations.md). Figures are printed, never asserted: timing belongs in docs, not in tests.
 */
class GatewayLoadTest {
    private static final int REQUESTS = Integer.getInteger("anyclaude.load.requests", 10_000);
    private static final int CONCURRENCY = Integer.getInteger("anyclaude.load.concurrency", 64);
    private static final long MIB = 1L << 20;
    private static final String BODY = "{\"model\":\"claude-opus-4-8\",\"max_tokens\":64,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"load test\"}]}";

    @Test
    void manyConcurrentRequestsAllSucceedAndLeaveNoThreadsConnectionsOrHeapBehind() throws Exception {
        int threadsBefore = liveThreads();
        Set<String> namesBefore = threadNames();
        long fdsBefore = openFiles();
        int warmUp = Math.max(CONCURRENCY * 4, REQUESTS / 10);
        AtomicInteger failures = new AtomicInteger();
        ConcurrentLinkedQueue<String> firstFailures = new ConcurrentLinkedQueue<>();
        long[] latencies = new long[REQUESTS];
        long heapWarm;
        long heapEnd;
        int threadsWarm;
        int threadsEnd;
        long elapsed;
        // A stub that records nothing: the scripted server keeps every request, which would read as gateway heap.
        try (QuietStub stub = new QuietStub(Chunks.text("A short streamed answer for the load test."));
                Gateway gateway =
                        Gateway.start(GatewayFixture.options(stub.url()).settings());
                HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .executor(Executors.newVirtualThreadPerTaskExecutor())
                        .build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages"))
                    .timeout(Duration.ofSeconds(60))
                    .header("content-type", "application/json")
                    .header("anthropic-version", "2023-06-01")
                    .POST(HttpRequest.BodyPublishers.ofString(BODY))
                    .build();

            run(client, request, 0, warmUp, latencies, failures, firstFailures);
            heapWarm = settledHeap();
            threadsWarm = liveThreads();
            long start = System.nanoTime();
            run(client, request, warmUp, REQUESTS, latencies, failures, firstFailures);
            elapsed = System.nanoTime() - start;
            heapEnd = settledHeap();
            threadsEnd = liveThreads();

            String metrics = client.send(
                            HttpRequest.newBuilder(URI.create(gateway.url() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(OperationsEndpointsTest.sample(metrics, "anyclaude_requests_seconds_count", "outcome=\"ok\""))
                    .isEqualTo(REQUESTS);
            assertThat(OperationsEndpointsTest.sample(metrics, "anyclaude_requests_in_flight"))
                    .isZero();
            assertThat(metrics).doesNotContain("anyclaude_errors_total{");
        }
        assertThat(failures.get())
                .as("failed requests, first: %s", firstFailures)
                .isZero();

        long[] measured = Arrays.copyOfRange(latencies, warmUp, REQUESTS);
        Arrays.sort(measured);
        System.out.printf(
                Locale.ROOT,
                "load: %d requests (+%d warm-up) at concurrency %d in %.2f s = %.0f req/s; "
                        + "latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; heap after GC %d MiB warm, %d MiB end; "
                        + "platform threads %d before, %d warm, %d end%n",
                REQUESTS - warmUp,
                warmUp,
                CONCURRENCY,
                elapsed / 1e9,
                (REQUESTS - warmUp) / (elapsed / 1e9),
                measured[measured.length / 2] / 1e6,
                measured[(int) (measured.length * 0.99)] / 1e6,
                measured[measured.length - 1] / 1e6,
                heapWarm / MIB,
                heapEnd / MIB,
                threadsBefore,
                threadsWarm,
                threadsEnd);

        assertThat(threadsEnd).as("platform threads do not grow with requests").isLessThanOrEqualTo(threadsWarm + 2);
        assertThat(heapEnd - heapWarm)
                .as("heap after GC stays flat after warm-up")
                .isLessThan(16 * MIB);
        assertThat(newThreadsWithin(namesBefore, 5_000))
                .as("threads left once the gateway is closed")
                .isEmpty();
        if (fdsBefore >= 0) {
            assertThat(openFiles()).as("open files and sockets once closed").isLessThanOrEqualTo(fdsBefore + 8);
        }
    }

    /** Sends requests [from, to) with CONCURRENCY workers; bounded: fails if they take more than 5 minutes. */
    private static void run(
            HttpClient client,
            HttpRequest request,
            int from,
            int to,
            long[] latencies,
            AtomicInteger failures,
            ConcurrentLinkedQueue<String> firstFailures)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger(from);
        AtomicLong done = new AtomicLong();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < CONCURRENCY; w++) {
                workers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200
                                    || !r.body()
                                            .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")) {
                                fail(failures, firstFailures, r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            fail(failures, firstFailures, e.toString());
                        }
                        latencies[i] = System.nanoTime() - t0;
                        done.incrementAndGet();
                    }
                    return null;
                });
            }
            workers.shutdown();
            assertThat(workers.awaitTermination(5, TimeUnit.MINUTES))
                    .as("the run finished in time")
                    .isTrue();
        }
        assertThat(done.get()).isEqualTo(to - from);
    }

    private static void fail(AtomicInteger failures, ConcurrentLinkedQueue<String> first, String what) {
        if (failures.incrementAndGet() <= 3) {
            first.add(what.length() > 300 ? what.substring(0, 300) : what);
        }
    }

    private static long settledHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /**
     * Threads alive now that were not before, leaving out the JDK's own virtual-thread scheduler and pollers
     * (created once per JVM on first use). Threads of closed pools end shortly after close: wait for them,
     * boundedly.
     */
    private static Set<String> newThreadsWithin(Set<String> before, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (true) {
            Set<String> added = new TreeSet<>(threadNames());
            added.removeAll(before);
            added.removeIf(n -> JDK_VIRTUAL_THREAD_INFRASTRUCTURE.matcher(n).matches());
            if (added.isEmpty() || System.nanoTime() > deadline) {
                return added;
            }
            Thread.sleep(100);
        }
    }

    private static final Pattern JDK_VIRTUAL_THREAD_INFRASTRUCTURE =
            Pattern.compile("ForkJoinPool-\\d+-(worker-\\d+|delayScheduler)|MasterPoller|"
                    + "VirtualThread-unblocker|Read-Poller|Write-Poller");

    private static Set<String> threadNames() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            names.add(t.getName());
        }
        return names;
    }

    /** An OpenAI-compatible stub that answers every chat request with the same stream and keeps nothing. */
    private static final class QuietStub implements AutoCloseable {
        private final HttpServer server;

        QuietStub(List<String> chunks) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (String c : chunks) {
                sb.append("data: ").append(c).append("\n\n");
            }
            byte[] stream = sb.append("data: [DONE]\n\n").toString().getBytes(StandardCharsets.UTF_8);
            byte[] models = "{\"object\":\"list\",\"data\":[{\"id\":\"stub-model\",\"object\":\"model\"}]}"
                    .getBytes(StandardCharsets.UTF_8);
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", ex -> {
                try (ex) {
                    ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
                    String path = ex.getRequestURI().getPath();
                    byte[] body =
                            path.endsWith("/chat/completions") ? stream : path.endsWith("/models") ? models : null;
                    if (body == null) {
                        ex.sendResponseHeaders(404, -1);
                        return;
                    }
                    ex.getResponseHeaders()
                            .add("Content-Type", body == stream ? "text/event-stream" : "application/json");
                    ex.sendResponseHeaders(200, body.length);
                    ex.getResponseBody().write(body);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static long openFiles() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getOpenFileDescriptorCount()
                : -1;
    }
}
