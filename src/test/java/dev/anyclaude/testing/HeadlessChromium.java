package dev.anyclaude.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A real headless Chromium (Debian's {@code chromium}; {@code .ci/run} installs it) showing one page, driven over
 * the DevTools protocol: evaluate JavaScript in the page, wait for a condition, take a screenshot. The browser
 * listens on a loopback port of its own choosing and is stopped by its PID.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final Path profile;
    private volatile WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, Path profile) {
        this.process = process;
        this.profile = profile;
    }

    /** The browser executable: {@code chromium} on the PATH (or {@code -Danyclaude.chromium}). */
    public static Path binary() {
        String configured = System.getProperty("anyclaude.chromium");
        if (configured != null) {
            return Path.of(configured);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new IllegalStateException("no chromium on the PATH: install Debian's chromium package (.ci/run does)");
    }

    /** Opens {@code url} in a new headless browser of {@code width} x {@code height} pixels. */
    public static HeadlessChromium open(String url, int width, int height) throws Exception {
        Path profile = Files.createTempDirectory("anyclaude-chromium-");
        List<String> argv = new ArrayList<>(List.of(
                binary().toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height,
                url));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String ws = null;
        StringBuilder seen = new StringBuilder();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (String line; System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                int at = line.indexOf("ws://");
                if (line.startsWith("DevTools listening on") && at >= 0) {
                    ws = line.substring(at).strip();
                    break;
                }
            }
            if (ws == null) {
                throw new IOException("chromium did not open its DevTools port: " + seen);
            }
            Thread.ofVirtual().start(() -> out.lines().forEach(l -> {})); // keep its output drained
            URI browser = URI.create(ws);
            String page = pageSocket(browser.getHost() + ":" + browser.getPort(), url);
            HeadlessChromium c = new HeadlessChromium(p, profile);
            c.socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create(page), c.listener())
                    .get(10, TimeUnit.SECONDS);
            return c;
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private static String pageSocket(String hostPort, String url) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String list = http.send(
                            HttpRequest.newBuilder(URI.create("http://" + hostPort + "/json/list"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            for (JsonNode t : JSON.readTree(list)) {
                if (t.path("type").asText().equals("page")
                        && t.path("url").asText().startsWith(url.split("\\?")[0])) {
                    return t.path("webSocketDebuggerUrl").asText();
                }
            }
            Thread.sleep(100);
        }
        throw new IOException("chromium shows no page for " + url);
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            private final StringBuilder message = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                message.append(data);
                if (last) {
                    try {
                        JsonNode m = JSON.readTree(message.toString());
                        CompletableFuture<JsonNode> f =
                                pending.remove(m.path("id").asInt(-1));
                        if (f != null) {
                            f.complete(m);
                        }
                    } catch (IOException e) {
                        // not an answer to a call of ours
                    }
                    message.setLength(0);
                }
                ws.request(1);
                return null;
            }
        };
    }

    /** Calls a DevTools method and returns its result. */
    public JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode m = JSON.createObjectNode().put("id", id).put("method", method);
        m.set("params", params == null ? JSON.createObjectNode() : params);
        socket.sendText(m.toString(), true).get(10, TimeUnit.SECONDS);
        JsonNode r = answer.get(30, TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new IOException(method + ": " + r.get("error"));
        }
        return r.path("result");
    }

    /** The value of a JavaScript expression in the page, as a string ("" for null or undefined). */
    public String eval(String expression) throws Exception {
        JsonNode r = call(
                "Runtime.evaluate",
                JSON.createObjectNode().put("expression", expression).put("returnByValue", true));
        JsonNode v = r.path("result").path("value");
        return v.isMissingNode() || v.isNull() ? "" : v.isTextual() ? v.asText() : v.toString();
    }

    /** Waits up to {@code timeout} for {@code condition}; false when it never held. */
    public static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }

    /** A PNG of the whole page. */
    public void screenshot(Path png) throws Exception {
        double height = Double.parseDouble(eval("document.documentElement.scrollHeight"));
        ObjectNode clip = JSON.createObjectNode()
                .put("x", 0)
                .put("y", 0)
                .put("scale", 1)
                .put("width", Double.parseDouble(eval("document.documentElement.scrollWidth")))
                .put("height", height);
        ObjectNode params = JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
        params.set("clip", clip);
        JsonNode r = call("Page.captureScreenshot", params);
        Files.write(png, Base64.getDecoder().decode(r.path("data").asText()));
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
        // the browser and the helper processes it started (renderer, GPU, zygote): ours, by PID
        List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
        family.add(process.toHandle());
        family.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : family) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // a temp directory left behind
        }
    }
}
