package dev.anyclaude.backend.launch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * A stand-in model server for supervisor tests, run as its own process. It takes llama-server's command
 * line (ignoring flags it does not know) plus its own:
 * <ul>
 *   <li>{@code --load-ms N}: answers {@code /health} with 503 "Loading model" for N ms, like llama-server;
 *   <li>{@code --crash-after-ms N --crashes K --counter FILE}: the first K incarnations (counted in FILE)
 *       die with exit code 3 N ms after their first healthy answer (so a busy machine cannot make the crash
 *       come before anyone saw the server up);
 *   <li>{@code --reload-ms N}: like {@code --load-ms}, for the incarnations after the first;
 *   <li>{@code --exit-at-start CODE}: prints an error and exits at once, like a server given a bad model;
 *   <li>{@code --child-pid-file FILE}: starts a child process ({@code sleep}) and appends its PID there;
 * To make it ignore SIGTERM, start it with SIGTERM ignored ({@code trap '' TERM; exec java ...}): the JVM
 * then installs no handler of its own, so only SIGKILL stops it.
 * </ul>
 * It answers {@code POST /v1/chat/completions} with a short text completion and lists one model.
 */
public final class StandInServer {
    private static final Set<String> WITH_VALUE = Set.of(
            "--port",
            "--load-ms",
            "--crash-after-ms",
            "--crashes",
            "--counter",
            "--exit-at-start",
            "--reload-ms",
            "--child-pid-file",
            "--alias",
            "-c");

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (WITH_VALUE.contains(args[i]) && i + 1 < args.length) {
                o.put(args[i], args[++i]);
            } else if (args[i].startsWith("--")) {
                o.put(args[i], "true");
            }
        }
        System.out.println("stand-in starting, pid " + ProcessHandle.current().pid());
        if (o.containsKey("--exit-at-start")) {
            System.err.println("error: failed to load model 'nonexistent.gguf'");
            System.exit(Integer.parseInt(o.get("--exit-at-start")));
        }
        int incarnation = 1;
        if (o.containsKey("--counter")) {
            Path counter = Path.of(o.get("--counter"));
            incarnation = Files.exists(counter)
                    ? Integer.parseInt(Files.readString(counter).strip()) + 1
                    : 1;
            Files.writeString(counter, Integer.toString(incarnation));
        }
        if (o.containsKey("--child-pid-file")) {
            Process child = new ProcessBuilder("sleep", "300").start();
            Files.writeString(
                    Path.of(o.get("--child-pid-file")),
                    child.pid() + "\n",
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        long loadMs = Long.parseLong(
                o.getOrDefault(incarnation > 1 && o.containsKey("--reload-ms") ? "--reload-ms" : "--load-ms", "0"));
        long readyAt = System.currentTimeMillis() + loadMs;
        String model = o.getOrDefault("--alias", "stand-in");
        String ctx = o.getOrDefault("-c", "4096");
        int crashes = Integer.parseInt(o.getOrDefault("--crashes", "0"));
        boolean crash = o.containsKey("--crash-after-ms") && incarnation <= crashes;
        long crashAfter = Long.parseLong(o.getOrDefault("--crash-after-ms", "0"));
        java.util.concurrent.atomic.AtomicBoolean seenHealthy = new java.util.concurrent.atomic.AtomicBoolean();

        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(o.get("--port"))), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            boolean loading = System.currentTimeMillis() < readyAt;
            if (loading) {
                reply(
                        ex,
                        503,
                        "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}");
            } else if (path.equals("/health")) {
                reply(ex, 200, "{\"status\":\"ok\"}");
                if (crash && seenHealthy.compareAndSet(false, true)) {
                    Thread.ofPlatform().start(() -> {
                        try {
                            Thread.sleep(crashAfter);
                        } catch (InterruptedException e) {
                            return;
                        }
                        System.out.println("stand-in crashing");
                        System.out.flush();
                        Runtime.getRuntime().halt(3);
                    });
                }
            } else if (path.equals("/v1/models")) {
                reply(
                        ex,
                        200,
                        "{\"object\":\"list\",\"data\":[{\"id\":\"" + model
                                + "\",\"object\":\"model\",\"owned_by\":\"llamacpp\"}]}");
            } else if (path.equals("/props")) {
                reply(ex, 200, "{\"default_generation_settings\":{\"n_ctx\":" + ctx + "},\"total_slots\":1}");
            } else if (path.equals("/v1/chat/completions")) {
                reply(
                        ex,
                        200,
                        "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + model
                                + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                                + "\"assistant\",\"content\":\"stand-in says hi\"},"
                                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
                                + "\"completion_tokens\":4,\"total_tokens\":9}}");
            } else {
                reply(ex, 404, "{\"error\":{\"message\":\"no route\"}}");
            }
        });
        server.start();
        System.out.println("stand-in listening, incarnation " + incarnation);

        Thread.currentThread().join();
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }
}
