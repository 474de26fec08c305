package dev.anyclaude.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.ClientGoneException;
import dev.anyclaude.api.ErrorKind;
import dev.anyclaude.api.EventSink;
import dev.anyclaude.api.GatewayException;
import dev.anyclaude.api.MessagesRequest;
import dev.anyclaude.api.PendingOutput;
import dev.anyclaude.api.StreamEvent;
import dev.anyclaude.api.Usage;
import dev.anyclaude.translate.OpenAiDialect;
import dev.anyclaude.translate.OpenAiRequestWriter;
import dev.anyclaude.translate.OpenAiResponseTranslator;
import dev.anyclaude.translate.OpenAiStreamTranslator;
import dev.anyclaude.translate.ServerReplies;
import dev.anyclaude.translate.TextFormats;
import dev.anyclaude.translate.UpstreamErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend that speaks OpenAI's {@code /v1/chat/completions}: llama.cpp server, vLLM, SGLang,
 * mlx_lm.server, Ollama, LM Studio or any compatible server. It probes the server once (flavor, context
 * size, models), translates each request, and streams the translated events back.
 */
public final class OpenAiBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(OpenAiBackend.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final OpenAiConfig config;
    private final ObjectMapper mapper;
    private final HttpClient http;
    private final OpenAiRequestWriter writer;
    private final UpstreamErrors errors;
    private final ServerReplies replies;

    private volatile Flavor flavor;
    private volatile long contextTokens;
    private volatile int totalSlots;
    private volatile SlotSteering steering = SlotSteering.NONE;
    private volatile List<String> models = List.of();
    private volatile Readiness readiness = Readiness.down("not probed yet");

    public OpenAiBackend(OpenAiConfig config, ObjectMapper mapper) {
        this.config = config;
        this.mapper = mapper;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        this.writer = new OpenAiRequestWriter(mapper);
        this.errors = new UpstreamErrors(mapper);
        this.replies = new ServerReplies(mapper);
        this.flavor = config.flavor() == Flavor.AUTO ? Flavor.GENERIC : config.flavor();
        this.contextTokens = config.contextTokens();
    }

    @Override
    public String name() {
        return "openai";
    }

    public Flavor flavor() {
        return flavor;
    }

    public URI baseUrl() {
        return config.baseUrl();
    }

    /**
     * Learns what the server is: its flavor (when AUTO), context size and models. Never throws: a server
     * that is down leaves the backend not ready, and the next probe (from {@link #readiness()}) tries again.
     */
    public void probe() {
        try {
            byte[] props = get(config.root().resolve("props"), Duration.ofSeconds(3));
            if (props != null) {
                ServerReplies.Props p = replies.props(props);
                if (config.flavor() == Flavor.AUTO) {
                    flavor = Flavor.LLAMACPP;
                }
                if (config.contextTokens() == 0 && p.nCtx() > 0) {
                    contextTokens = p.nCtx();
                }
                totalSlots = p.totalSlots();
            }
            byte[] list = get(URI.create(config.baseUrl() + "/models"), Duration.ofSeconds(3));
            if (list != null) {
                List<ServerReplies.ModelEntry> entries = replies.models(list);
                models = entries.stream().map(ServerReplies.ModelEntry::id).toList();
                for (ServerReplies.ModelEntry e : entries) {
                    if (config.flavor() == Flavor.AUTO && flavor == Flavor.GENERIC) {
                        flavor = switch (e.ownedBy()) {
                            case "vllm" -> Flavor.VLLM;
                            case "sglang" -> Flavor.SGLANG;
                            case "llamacpp" -> Flavor.LLAMACPP;
                            case "library", "ollama" -> Flavor.OLLAMA;
                            default -> Flavor.GENERIC;
                        };
                    }
                    if (contextTokens == 0 && e.contextTokens() > 0) {
                        contextTokens = e.contextTokens();
                    }
                }
            }
            readiness = Readiness.up();
        } catch (GatewayException e) {
            readiness = Readiness.down(e.getMessage());
        }
    }

    /** GET returning the body on 200, null on another status; throws when the server cannot be reached. */
    private byte[] get(URI uri, Duration timeout) {
        HttpRequest req = authorized(HttpRequest.newBuilder(uri).timeout(timeout).GET()).build();
        try {
            HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            return resp.statusCode() == 200 ? resp.body() : null;
        } catch (IOException e) {
            throw transportFailure(e, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorKind.CANCELLED, "interrupted while probing " + config.baseUrl());
        }
    }

    @Override
    public Readiness readiness() {
        if (!readiness.ready()) {
            probe();
        }
        return readiness;
    }

    @Override
    public List<String> models() {
        return models;
    }

    @Override
    public long contextTokens() {
        return contextTokens;
    }

    /** The server's slot count from llama.cpp's {@code /props} ({@code total_slots}), 0 when unknown. */
    public int totalSlots() {
        return totalSlots;
    }

    /** Routes every later request through {@code s} (the L1 prefix cache), which picks its slot. */
    public void steer(SlotSteering s) {
        steering = s;
    }

    OpenAiDialect dialect(BackendRequest call) {
        OpenAiDialect base = switch (flavor) {
            case LLAMACPP -> OpenAiDialect.LLAMA_CPP;
            case VLLM, SGLANG -> new OpenAiDialect(false, false, true, true, false, false, Map.of());
            case MLX -> new OpenAiDialect(false, false, true, false, false, false, Map.of());
            default -> OpenAiDialect.DEFAULT;
        };
        return config.foldInlineSystem() ? base.withFoldInlineSystem(true) : base;
    }

    /** Servers without a reasoning parser leave {@code <think>} tags in the content. */
    private OpenAiStreamTranslator.Options streamOptions(MessagesRequest request) {
        return OpenAiStreamTranslator.Options.of(request, TextFormats.THINK_TAGS);
    }

    /** Clamps {@code max_tokens} to what the context can still hold after the (estimated) prompt. */
    MessagesRequest clamp(MessagesRequest r) {
        long ctx = contextTokens;
        if (ctx <= 0 || r.maxTokens() < 1) {
            return r;
        }
        long room = ctx - PromptSize.estimateTokens(r);
        long limit = Math.max(room, Math.min(r.maxTokens(), 64));
        return r.maxTokens() > limit ? r.withMaxTokens((int) Math.max(limit, 1)) : r;
    }

    @Override
    public void generate(BackendRequest call, EventSink sink) throws IOException {
        try (SlotSteering.Lease lease = steering.acquire(call)) {
            generate(call, lease.slot(), lease.observe(sink));
        }
    }

    private void generate(BackendRequest call, int slot, EventSink sink) throws IOException {
        MessagesRequest request = clamp(call.request());
        OpenAiDialect dialect = dialect(call);
        if (flavor == Flavor.LLAMACPP) {
            dialect = dialect.withExtra(Map.of("id_slot", slot));
        }
        byte[] body = writer.write(request, dialect);
        HttpRequest req = authorized(HttpRequest.newBuilder(URI.create(config.baseUrl() + "/chat/completions"))
                .timeout(config.responseTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", request.stream() ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))).build();
        HttpResponse<InputStream> resp = send(req);
        try (IdleGuard in = new IdleGuard(resp.body(), config.responseTimeout())) {
            if (resp.statusCode() != 200) {
                throw errors.classify(resp.statusCode(), in.readNBytes(MAX_ERROR_BODY), config.baseUrl().toString(),
                        retryAfter(resp));
            }
            TrackingSink tracking = new TrackingSink(sink);
            try {
                if (request.stream()) {
                    pumpStream(in, tracking, streamOptions(request));
                } else {
                    new OpenAiResponseTranslator(mapper, streamOptions(request)).translate(in.readAllBytes(), tracking);
                }
            } catch (IOException e) {
                if (e instanceof ClientGoneException) {
                    throw e; // flushing what was already translated found the client gone
                }
                if (tracking.failure != null) {
                    throw tracking.failure; // the client left or a stop sequence ended it: abandon upstream
                }
                if (Thread.currentThread().isInterrupted() || e instanceof InterruptedIOException) {
                    throw new InterruptedIOException("cancelled: the client left");
                }
                if (in.expired()) {
                    throw new GatewayException(ErrorKind.BACKEND_TIMEOUT, "backend " + config.baseUrl()
                            + " sent nothing for " + config.responseTimeout().toSeconds() + " s", e, 2);
                }
                throw new GatewayException(ErrorKind.PROTOCOL_VIOLATION,
                        "connection to " + config.baseUrl() + " lost mid-response: " + e.getMessage(), e);
            }
        }
    }

    private void pumpStream(InputStream in, EventSink sink, OpenAiStreamTranslator.Options options)
            throws IOException {
        // Events translated from one read of the server's stream go to the client in one write, flushed
        // before the next read, which may wait for the model.
        try (PendingOutput.Batch batch = PendingOutput.batch()) {
            OpenAiStreamTranslator translator = new OpenAiStreamTranslator(mapper, sink, options);
            translator.start(); // the server accepted the request: message_start can go out now
            SseLines lines = new SseLines(PendingOutput.flushingBeforeReads(in));
            String data;
            while ((data = lines.nextData()) != null) {
                if (data.equals("[DONE]")) {
                    translator.onEnd();
                    batch.close(); // the answer is complete: flush it before draining the body
                    lines.drain();
                    return;
                }
                translator.onData(data);
            }
            translator.onEnd();
        }
    }

    private HttpResponse<InputStream> send(HttpRequest req) throws IOException {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw transportFailure(e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("cancelled: the client left");
        }
    }

    private GatewayException transportFailure(IOException e, boolean generating) {
        String where = config.baseUrl().toString();
        if (e instanceof HttpConnectTimeoutException || e instanceof ConnectException
                || e.getCause() instanceof ConnectException) {
            return new GatewayException(ErrorKind.BACKEND_UNREACHABLE,
                    "backend unreachable: " + where + " (" + describe(e) + ")", e, 2);
        }
        if (e instanceof HttpTimeoutException) {
            return new GatewayException(ErrorKind.BACKEND_TIMEOUT, "backend " + where + " did not answer within "
                    + config.responseTimeout().toSeconds() + " s", e, 2);
        }
        // A pooled connection the server had closed (llama.cpp closes after every stream) fails like this:
        // retryable, and the retry opens a fresh connection.
        log.debug("transport failure to {} (generating={}): {}", where, generating, e.toString());
        return new GatewayException(ErrorKind.BACKEND_UNREACHABLE,
                "backend " + where + " closed the connection: " + describe(e), e, 1);
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        if (m == null && e.getCause() != null) {
            m = e.getCause().toString();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static long retryAfter(HttpResponse<?> resp) {
        return resp.headers().firstValue("retry-after").map(v -> {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return -1L;
            }
        }).orElse(-1L);
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder b) {
        if (config.apiKey() != null && !config.apiKey().isBlank()) {
            b.header("Authorization", "Bearer " + config.apiKey());
        }
        return b;
    }

    @Override
    public TokenCount countTokens(BackendRequest call) {
        MessagesRequest request = call.request();
        if (flavor == Flavor.LLAMACPP) {
            try {
                byte[] chat = writer.write(request.withMaxTokens(1), dialect(call));
                byte[] applied = post(config.root().resolve("apply-template"), chat);
                byte[] tokens = post(config.root().resolve("tokenize"),
                        replies.tokenizeBody(replies.appliedPrompt(applied)));
                return new TokenCount(replies.tokenCount(tokens), true);
            } catch (GatewayException e) {
                log.debug("llama.cpp token count failed, estimating: {}", e.getMessage());
            }
        } else if (flavor == Flavor.VLLM || flavor == Flavor.SGLANG) {
            try {
                byte[] chat = writer.write(request.withMaxTokens(1), dialect(call));
                return new TokenCount(replies.tokenCount(post(config.root().resolve("tokenize"), chat)), true);
            } catch (GatewayException e) {
                log.debug("{} token count failed, estimating: {}", flavor.label(), e.getMessage());
            }
        }
        return new TokenCount(PromptSize.estimateTokens(request), false);
    }

    /**
     * Prefills {@code call}'s prompt into the server's cache without generating (llama.cpp: {@code n_predict:
     * 0} in slot {@code slot}, or -1 for the server's choice; other servers: {@code max_tokens: 1}) and
     * returns the usage the server reported. Interrupting the calling thread abandons the request.
     */
    public Usage prefill(BackendRequest call, int slot) throws IOException {
        MessagesRequest request = clamp(call.request()).withMaxTokens(1);
        OpenAiDialect dialect = dialect(call);
        if (flavor == Flavor.LLAMACPP) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("id_slot", slot);
            extra.put("n_predict", 0);
            dialect = dialect.withExtra(extra);
        }
        byte[] body = writer.write(request, dialect, false);
        HttpRequest req = authorized(HttpRequest.newBuilder(URI.create(config.baseUrl() + "/chat/completions"))
                .timeout(config.responseTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))).build();
        HttpResponse<InputStream> resp = send(req);
        try (IdleGuard in = new IdleGuard(resp.body(), config.responseTimeout())) {
            if (resp.statusCode() != 200) {
                throw errors.classify(resp.statusCode(), in.readNBytes(MAX_ERROR_BODY), config.baseUrl().toString(),
                        retryAfter(resp));
            }
            Usage[] usage = {Usage.ZERO};
            new OpenAiResponseTranslator(mapper, streamOptions(request)).translate(in.readAllBytes(), event -> {
                if (event instanceof StreamEvent.MessageDelta d && d.usage() != null) {
                    usage[0] = d.usage();
                }
            });
            return usage[0];
        }
    }

    /**
     * Calls llama.cpp's {@code POST /slots/{slot}?action=save|restore|erase}, with {@code {"filename":
     * filename}} (null for erase).
     *
     * @throws GatewayException when the server refuses (unknown file, busy slot, no {@code --slot-save-path})
     *     or cannot be reached
     */
    public void slotAction(int slot, String action, String filename) {
        post(config.root().resolve("slots/" + slot + "?action=" + action),
                filename == null ? "{}".getBytes(StandardCharsets.UTF_8) : replies.slotFileBody(filename));
    }

    private byte[] post(URI uri, byte[] body) {
        HttpRequest req = authorized(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))).build();
        try {
            HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() != 200) {
                throw errors.classify(resp.statusCode(), resp.body(), uri.toString(), retryAfter(resp));
            }
            return resp.body();
        } catch (IOException e) {
            throw transportFailure(e, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorKind.CANCELLED, "cancelled");
        }
    }

    @Override
    public void close() {
        http.close();
    }

    /** Remembers the sink's own failure, to tell "the client left" from "the backend broke". */
    private static final class TrackingSink implements EventSink {
        private final EventSink delegate;
        IOException failure;

        TrackingSink(EventSink delegate) {
            this.delegate = delegate;
        }

        @Override
        public void accept(StreamEvent event) throws IOException {
            try {
                delegate.accept(event);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }
}
