package dev.anyclaude.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted llama.cpp server ({@code llama-server}) on loopback that implements the slot API as documented,
 * with characters standing in for tokens, so tests can check what the gateway asks of the slots and what
 * the server could really reuse.
 *
 * <ul>
 *   <li>{@code GET /props} ({@code total_slots}, {@code default_generation_settings.n_ctx}), {@code GET
 *       /v1/models} ({@code owned_by: llamacpp}), {@code GET /health}, {@code GET /slots}.
 *   <li>{@code POST /v1/chat/completions}: renders the prompt (tools, then each message) as text; picks the
 *       slot from {@code id_slot} (-1: the idle slot whose held text shares the longest prefix); reports as
 *       reused ({@code timings.cache_n}, {@code usage.prompt_tokens_details.cached_tokens}) the common
 *       prefix of the prompt with what the slot held, as llama.cpp does with {@code cache_prompt} (at least
 *       one token is always evaluated); then the slot holds the prompt plus the answer. {@code n_predict: 0}
 *       prefills only and answers without content.
 *   <li>{@code POST /slots/{id}?action=save|restore|erase}: save writes the held text into the save
 *       directory (the server's {@code --slot-save-path}) and answers {@code {id_slot, filename, n_saved,
 *       n_written, timings.save_ms}}; restore reads it back ({@code {n_restored, n_read,
 *       timings.restore_ms}}, 400 and an emptied slot when the file cannot be read); erase empties the slot
 *       ({@code n_erased}). Without a save directory save and restore answer 501, like llama.cpp.
 * </ul>
 *
 * <p>A request for a busy slot waits until it is free, as llama.cpp defers it; since the gateway promises
 * never to need that, each such wait is counted as a {@link #slotConflicts() conflict}. A save of
 * contents some file already holds is counted as {@link #redundantSaves() redundant}.
 *
 * <p>{@link #holdPrefills()} makes prefill-only requests hang until released. While hanging, the server
 * sends the response headers at once and then a space every few milliseconds (JSON allows leading
 * whitespace) — not what llama.cpp does, but the only way a {@code com.sun} server notices that the
 * client gave up; llama.cpp notices by itself. An abandoned prefill keeps half its prompt in the slot, as
 * llama.cpp keeps the batches it had already processed.
 */
public final class ScriptedLlamaServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One chat request as the server handled it.
     *
     * @param idSlot the {@code id_slot} it asked for (-1 when absent)
     * @param slot the slot it ran in
     * @param prefillOnly {@code n_predict: 0}
     * @param cachePrompt it sent {@code cache_prompt: true} explicitly
     * @param cachedTokens what the server reused (reported as {@code cache_n} and {@code cached_tokens})
     */
    public record Chat(int idSlot, int slot, boolean prefillOnly, boolean stream, boolean cachePrompt, long promptTokens,
            long cachedTokens, String prompt) {}

    /** One slot action as the server handled it. */
    public record SlotCall(int slot, String action, String filename, int status) {}

    private final HttpServer server;
    private final Path saveDir;
    private final int nCtx;
    private final Slot[] slots;
    private final List<Chat> chats = Collections.synchronizedList(new ArrayList<>());
    private final List<SlotCall> slotCalls = Collections.synchronizedList(new ArrayList<>());
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger conflicts = new AtomicInteger();
    private final AtomicInteger redundantSaves = new AtomicInteger();
    private final AtomicInteger abandonedPrefills = new AtomicInteger();
    private final Set<String> failNextRestore = Collections.synchronizedSet(new HashSet<>());
    private volatile CountDownLatch prefillGate;
    private volatile CountDownLatch chatGate;
    private volatile String answer = "ok";

    private static final class Slot {
        final int id;
        String held = "";
        boolean busy;

        Slot(int id) {
            this.id = id;
        }
    }

    /**
     * @param slots the server's {@code --parallel}
     * @param saveDir its {@code --slot-save-path}, or null
     */
    public ScriptedLlamaServer(int slots, Path saveDir) throws IOException {
        this.saveDir = saveDir;
        this.nCtx = 65536;
        this.slots = new Slot[slots];
        for (int i = 0; i < slots; i++) {
            this.slots[i] = new Slot(i);
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Chat> chats() {
        synchronized (chats) {
            return List.copyOf(chats);
        }
    }

    /** Chat requests that generated (not prefill-only warms). */
    public List<Chat> answered() {
        return chats().stream().filter(c -> !c.prefillOnly()).toList();
    }

    /**
     * Everything the server did, in order: {@code chat N}, {@code prefill N}, {@code save N file}, {@code
     * restore N file}, {@code erase N}; a refused slot action ends in {@code -> status}.
     */
    public List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    public List<SlotCall> slotCalls() {
        synchronized (slotCalls) {
            return List.copyOf(slotCalls);
        }
    }

    public List<SlotCall> slotCalls(String action) {
        return slotCalls().stream().filter(c -> c.action().equals(action)).toList();
    }

    /** Requests and slot actions that had to wait for a busy slot. */
    public int slotConflicts() {
        return conflicts.get();
    }

    /** Saves of contents that some file in the save directory already held. */
    public int redundantSaves() {
        return redundantSaves.get();
    }

    /** Prefill-only requests the client abandoned. */
    public int abandonedPrefills() {
        return abandonedPrefills.get();
    }

    /** What slot {@code id} holds now. */
    public String held(int id) {
        synchronized (slots[id]) {
            return slots[id].held;
        }
    }

    /** The text generated for every request (default "ok"). */
    public void answer(String text) {
        answer = text;
    }

    /** The next restore of {@code filename} fails as if the file were unreadable. */
    public void failNextRestore(String filename) {
        failNextRestore.add(filename);
    }

    /** Makes prefill-only requests hang until the returned latch is counted down. */
    public CountDownLatch holdPrefills() {
        CountDownLatch l = new CountDownLatch(1);
        prefillGate = l;
        return l;
    }

    /** Makes generating requests wait before answering until the returned latch is counted down. */
    public CountDownLatch holdChats() {
        CountDownLatch l = new CountDownLatch(1);
        chatGate = l;
        return l;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            byte[] body = ex.getRequestBody().readAllBytes();
            if (method.equals("GET") && path.equals("/props")) {
                json(ex, 200, "{\"default_generation_settings\":{\"n_ctx\":" + nCtx + "},\"total_slots\":"
                        + slots.length + ",\"model_path\":\"/models/stub.gguf\",\"chat_template\":\"stub\"}");
            } else if (method.equals("GET") && path.equals("/v1/models")) {
                json(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"stub.gguf\",\"object\":\"model\","
                        + "\"owned_by\":\"llamacpp\",\"meta\":{\"n_ctx_train\":" + nCtx + "}}]}");
            } else if (method.equals("GET") && path.equals("/health")) {
                json(ex, 200, "{\"status\":\"ok\"}");
            } else if (method.equals("GET") && path.equals("/slots")) {
                json(ex, 200, slotsJson());
            } else if (method.equals("POST") && path.equals("/v1/chat/completions")) {
                chat(ex, JSON.readTree(body));
            } else if (method.equals("POST") && path.startsWith("/slots/")) {
                slotAction(ex, path.substring("/slots/".length()), ex.getRequestURI(), body);
            } else {
                json(ex, 404, error(404, "File Not Found", "not_found_error"));
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private String slotsJson() {
        ArrayNode a = JSON.createArrayNode();
        for (Slot s : slots) {
            synchronized (s) {
                a.addObject().put("id", s.id).put("n_ctx", nCtx).put("is_processing", s.busy);
            }
        }
        return a.toString();
    }

    // ---- chat

    private void chat(HttpExchange ex, JsonNode req) throws IOException {
        String prompt = render(req);
        int idSlot = req.path("id_slot").asInt(-1);
        long nPredict = req.has("n_predict") ? req.get("n_predict").asLong() : req.path("max_tokens").asLong(-1);
        boolean stream = req.path("stream").asBoolean(false);
        if (idSlot >= slots.length) {
            json(ex, 400, error(400, "Invalid id_slot: " + idSlot, "invalid_request_error"));
            return;
        }
        Slot slot = idSlot >= 0 ? slots[idSlot] : bestIdle(prompt);
        take(slot);
        try {
            boolean cachePrompt = req.path("cache_prompt").asBoolean(true); // llama.cpp's default
            long cached = 0;
            synchronized (slot) {
                if (cachePrompt) {
                    cached = Math.min(commonPrefix(prompt, slot.held), Math.max(prompt.length() - 1, 0));
                }
            }
            chats.add(new Chat(idSlot, slot.id, nPredict == 0, stream, req.has("cache_prompt") && cachePrompt,
                    prompt.length(), cached, prompt));
            log.add((nPredict == 0 ? "prefill " : "chat ") + slot.id);
            if (nPredict == 0) {
                prefill(ex, slot, prompt, cached);
                return;
            }
            await(chatGate);
            String text = answer;
            synchronized (slot) {
                slot.held = prompt + "<|assistant|>" + text;
            }
            if (stream) {
                streamAnswer(ex, text, prompt.length(), cached);
            } else {
                json(ex, 200, completion(text, "stop", prompt.length(), text.length(), cached));
            }
        } finally {
            give(slot);
        }
    }

    private void prefill(HttpExchange ex, Slot slot, String prompt, long cached) throws IOException {
        String body = completion("", "length", prompt.length(), 0, cached);
        CountDownLatch gate = prefillGate;
        if (gate == null || gate.getCount() == 0) {
            synchronized (slot) {
                slot.held = prompt;
            }
            json(ex, 200, body);
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        try {
            while (!gate.await(10, TimeUnit.MILLISECONDS)) {
                out.write(' ');
                out.flush();
            }
            synchronized (slot) {
                slot.held = prompt;
            }
            out.write(body.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            synchronized (slot) {
                slot.held = prompt.substring(0, prompt.length() / 2);
            }
            abandonedPrefills.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void streamAnswer(HttpExchange ex, String text, long prompt, long cached) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        List<String> events = new ArrayList<>();
        events.add(chunk("{\"role\":\"assistant\",\"content\":null}", null));
        if (!text.isEmpty()) {
            events.add(chunk("{\"content\":" + JSON.writeValueAsString(text) + "}", null));
        }
        events.add(chunk("{}", "stop"));
        ObjectNode last = JSON.createObjectNode();
        last.put("id", "chatcmpl-1").put("object", "chat.completion.chunk").put("created", 1).put("model", "stub.gguf");
        last.putArray("choices");
        usage(last, prompt, text.length(), cached);
        events.add(last.toString());
        for (String e : events) {
            out.write(("data: " + e + "\n\n").getBytes(StandardCharsets.UTF_8));
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String chunk(String delta, String finish) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"stub.gguf\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static String completion(String text, String finish, long prompt, long completion, long cached) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", "chatcmpl-1").put("object", "chat.completion").put("created", 1).put("model", "stub.gguf");
        ObjectNode choice = n.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", finish);
        choice.putObject("message").put("role", "assistant").put("content", text);
        usage(n, prompt, completion, cached);
        return n.toString();
    }

    private static void usage(ObjectNode n, long prompt, long completion, long cached) {
        ObjectNode u = n.putObject("usage");
        u.put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
        u.putObject("prompt_tokens_details").put("cached_tokens", cached);
        n.putObject("timings").put("cache_n", cached).put("prompt_n", prompt - cached).put("predicted_n", completion);
    }

    /** The prompt as text: tools, then each message as {@code <|role|>content}. */
    static String render(JsonNode req) {
        StringBuilder sb = new StringBuilder();
        if (req.has("tools")) {
            sb.append("<|tools|>").append(req.get("tools").toString()).append('\n');
        }
        for (JsonNode m : req.path("messages")) {
            sb.append("<|").append(m.path("role").asText()).append("|>");
            JsonNode c = m.get("content");
            if (c != null && c.isTextual()) {
                sb.append(c.asText());
            } else if (c != null && c.isArray()) {
                for (JsonNode p : c) {
                    sb.append(p.path("text").asText(p.toString()));
                }
            }
            if (m.has("tool_calls")) {
                sb.append(m.get("tool_calls").toString());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private Slot bestIdle(String prompt) {
        Slot best = null;
        long bestLen = -1;
        for (Slot s : slots) {
            synchronized (s) {
                long n = commonPrefix(prompt, s.held);
                if (!s.busy && n > bestLen) {
                    best = s;
                    bestLen = n;
                }
            }
        }
        return best != null ? best : slots[0];
    }

    static long commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    private void take(Slot s) {
        synchronized (s) {
            if (s.busy) {
                conflicts.incrementAndGet();
            }
            while (s.busy) {
                try {
                    s.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            s.busy = true;
        }
    }

    private void give(Slot s) {
        synchronized (s) {
            s.busy = false;
            s.notifyAll();
        }
    }

    private static void await(CountDownLatch gate) {
        if (gate == null) {
            return;
        }
        try {
            gate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- slots

    private void slotAction(HttpExchange ex, String idText, URI uri, byte[] body) throws IOException {
        String query = uri.getQuery() == null ? "" : uri.getQuery();
        String action = query.startsWith("action=") ? query.substring("action=".length()) : "";
        int id;
        try {
            id = Integer.parseInt(idText);
        } catch (NumberFormatException e) {
            json(ex, 400, error(400, "Invalid slot id", "invalid_request_error"));
            return;
        }
        String filename = body.length == 0 ? null : JSON.readTree(body).path("filename").asText(null);
        if (id < 0 || id >= slots.length) {
            record(id, action, filename, 400);
            json(ex, 400, error(400, "Invalid slot id", "invalid_request_error"));
            return;
        }
        if ((action.equals("save") || action.equals("restore")) && saveDir == null) {
            record(id, action, filename, 501);
            json(ex, 501, error(501, "This server does not support slots action", "not_supported_error"));
            return;
        }
        if ((action.equals("save") || action.equals("restore"))
                && (filename == null || filename.isEmpty() || filename.contains("/") || filename.contains("..")
                        || filename.startsWith("."))) {
            record(id, action, filename, 400);
            json(ex, 400, error(400, "Invalid filename", "invalid_request_error"));
            return;
        }
        Slot slot = slots[id];
        take(slot);
        try {
            switch (action) {
                case "save" -> save(ex, slot, filename);
                case "restore" -> restore(ex, slot, filename);
                case "erase" -> {
                    long n;
                    synchronized (slot) {
                        n = slot.held.length();
                        slot.held = "";
                    }
                    record(id, action, null, 200);
                    json(ex, 200, "{\"id_slot\":" + id + ",\"n_erased\":" + n + "}");
                }
                default -> {
                    record(id, action, filename, 400);
                    json(ex, 400, error(400, "Invalid action", "invalid_request_error"));
                }
            }
        } finally {
            give(slot);
        }
    }

    private void save(HttpExchange ex, Slot slot, String filename) throws IOException {
        String held;
        synchronized (slot) {
            held = slot.held;
        }
        Path file = saveDir.resolve(filename);
        byte[] bytes = held.getBytes(StandardCharsets.UTF_8);
        if (alreadySaved(bytes)) {
            redundantSaves.incrementAndGet();
        }
        Files.write(file, bytes);
        record(slot.id, "save", filename, 200);
        json(ex, 200, "{\"id_slot\":" + slot.id + ",\"filename\":" + JSON.writeValueAsString(filename)
                + ",\"n_saved\":" + held.length() + ",\"n_written\":" + bytes.length
                + ",\"timings\":{\"save_ms\":1.5}}");
    }

    /** Whether some file in the save directory already holds exactly these bytes. */
    private boolean alreadySaved(byte[] bytes) throws IOException {
        try (var files = Files.list(saveDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.size(f) == bytes.length && java.util.Arrays.equals(Files.readAllBytes(f), bytes)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void restore(HttpExchange ex, Slot slot, String filename) throws IOException {
        Path file = saveDir.resolve(filename);
        String text = null;
        if (!failNextRestore.remove(filename)) {
            try {
                text = Files.readString(file);
            } catch (NoSuchFileException e) {
                text = null;
            }
        }
        if (text == null) {
            synchronized (slot) {
                slot.held = "";
            }
            record(slot.id, "restore", filename, 400);
            json(ex, 400, error(400, "Unable to restore slot, no available space in KV cache or invalid slot save file",
                    "invalid_request_error"));
            return;
        }
        synchronized (slot) {
            slot.held = text;
        }
        record(slot.id, "restore", filename, 200);
        json(ex, 200, "{\"id_slot\":" + slot.id + ",\"filename\":" + JSON.writeValueAsString(filename)
                + ",\"n_restored\":" + text.length() + ",\"n_read\":" + Files.size(file)
                + ",\"timings\":{\"restore_ms\":0.7}}");
    }

    private void record(int slot, String action, String filename, int status) {
        slotCalls.add(new SlotCall(slot, action, filename, status));
        log.add(action + " " + slot + (filename == null ? "" : " " + filename) + (status == 200 ? "" : " -> " + status));
    }

    private static String error(int code, String message, String type) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"type\":\"" + type + "\"}}";
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    /** The held text of every slot, by id (for assertions). */
    public Map<Integer, String> heldBySlot() {
        Map<Integer, String> out = new HashMap<>();
        for (Slot s : slots) {
            synchronized (s) {
                out.put(s.id, s.held);
            }
        }
        return out;
    }

    @Override
    public void close() {
        CountDownLatch g = prefillGate;
        if (g != null) {
            g.countDown();
        }
        g = chatGate;
        if (g != null) {
            g.countDown();
        }
        server.stop(0);
    }
}
