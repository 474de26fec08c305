package dev.anyclaude.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.ClientGoneException;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.PendingOutput;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.time.Clock;
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
import java.net.ProtocolException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend that speaks OpenAI's {@code /v1/chat/completions}: llama.cpp server, vLLM, SGLang,
 * mlx_lm.server, Ollama, LM Studio or any compatible server. It probes the server once (flavor, context
 * size, models), translates each request, and streams the translated events back. Every call runs on the
 * caller's thread through an {@link UpstreamClient}: pooled plain sockets for {@code http}, the JDK client for
 * {@code https}.
 */
public final class OpenAiBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(OpenAiBackend.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final OpenAiConfig config;
    private final ObjectMapper mapper;
    private final UpstreamClient http;
    private final URI chatUri;
    private final OpenAiRequestWriter writer;
    private final UpstreamErrors errors;
    private final ServerReplies replies;
    private final LlamaServerClient llama;

    private volatile Flavor flavor;
    private volatile long contextTokens;
    private volatile boolean learned;
    private volatile List<String> models = List.of();
    private volatile Readiness readiness = Readiness.down("not probed yet");
    /** How the server renders a late system message, as learned ({@code --inline-system auto}). */
    private volatile LlamaServerClient.LateSystem lateSystem = LlamaServerClient.LateSystem.UNKNOWN;
    /** Fold mid-conversation system messages: forced, learned from the template, or from a rejection. */
    private volatile boolean foldInlineSystem;

    public OpenAiBackend(OpenAiConfig config, ObjectMapper mapper) {
        this(config, mapper, Clock.SYSTEM);
    }

    /** @param clock times idle connections and silent response bodies */
    public OpenAiBackend(OpenAiConfig config, ObjectMapper mapper, Clock clock) {
        this.config = config;
        this.mapper = mapper;
        this.http = UpstreamClient.forUpstream(config.baseUrl(), config.connectTimeout(), clock);
        this.chatUri = URI.create(config.baseUrl() + "/chat/completions");
        this.writer = new OpenAiRequestWriter(mapper);
        this.errors = new UpstreamErrors(mapper);
        this.replies = new ServerReplies(mapper);
        this.llama = new LlamaServerClient(config, mapper, http);
        this.flavor = config.flavor() == Flavor.AUTO ? Flavor.GENERIC : config.flavor();
        this.contextTokens = config.contextTokens();
        this.foldInlineSystem = config.inlineSystem() == InlineSystem.FOLD;
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
     * Learns what the server is: its flavor (when AUTO), context size and models. Never throws: a server that
     * is down or still loading leaves the backend not ready, and the next {@link #readiness()} probes again.
     */
    public void probe() {
        try {
            ServerReplies.Props p = llama.props();
            if (p != null) {
                if (config.flavor() == Flavor.AUTO) {
                    flavor = Flavor.answeringProps();
                }
                if (config.contextTokens() == 0 && p.nCtx() > 0) {
                    contextTokens = p.nCtx();
                }
            }
            Got list = get(URI.create(config.baseUrl() + "/models"));
            if (list.status() != 200) {
                readiness = Readiness.down(config.baseUrl() + "/models answered HTTP " + list.status() + reason(list));
                return;
            }
            List<ServerReplies.ModelEntry> entries = replies.models(list.body());
            models = entries.stream().map(ServerReplies.ModelEntry::id).toList();
            for (ServerReplies.ModelEntry e : entries) {
                if (config.flavor() == Flavor.AUTO && flavor == Flavor.GENERIC) {
                    flavor = Flavor.ownedBy(e.ownedBy());
                }
                if (contextTokens == 0 && e.contextTokens() > 0) {
                    contextTokens = e.contextTokens();
                }
            }
            if (flavor.llamaCppApi()
                    && config.inlineSystem() == InlineSystem.AUTO
                    && lateSystem == LlamaServerClient.LateSystem.UNKNOWN) {
                learnLateSystem(llama.lateSystem());
            }
            learned = true;
            readiness = Readiness.up();
        } catch (GatewayException e) {
            readiness = Readiness.down(e.getMessage());
        }
    }

    private void learnLateSystem(LlamaServerClient.LateSystem how) {
        lateSystem = how;
        switch (how) {
            case DROPPED, REJECTED, MOVED -> {
                // moved (DeepSeek, Hy3, Solar: merged into the first system message) is folded too: each new
                // system message Claude Code sends later would rewrite the start of the prompt, re-prefilling it all
                foldInlineSystem = true;
                log.info(
                        "{}'s chat template {} a system message after the first user turn: mid-conversation system "
                                + "messages go into the user turn as <system-reminder> text "
                                + "(--inline-system keep to send them "
                                + "anyway)",
                        config.root(),
                        switch (how) {
                            case DROPPED -> "drops";
                            case REJECTED -> "rejects";
                            default -> "moves to the start";
                        });
            }
            case IN_PLACE -> log.debug("{}'s chat template renders a late system message in place", config.root());
            case UNKNOWN -> {}
        }
    }

    /** How mid-conversation system messages are sent now: {@code "fold"} or {@code "keep"}, and why. */
    public String inlineSystemMode() {
        return (foldInlineSystem ? "fold" : "keep") + " ("
                + switch (config.inlineSystem()) {
                    case FOLD -> "--inline-system fold";
                    case KEEP -> "--inline-system keep";
                    case AUTO ->
                        lateSystem == LlamaServerClient.LateSystem.UNKNOWN
                                ? (foldInlineSystem ? "the server rejected one" : "not learned")
                                : "the chat template "
                                        + switch (lateSystem) {
                                            case IN_PLACE -> "renders one in place";
                                            case MOVED -> "moves one to the start";
                                            case DROPPED -> "drops one";
                                            case REJECTED -> "rejects one";
                                            case UNKNOWN -> "?";
                                        };
                }
                + ")";
    }

    /**
     * Whether an error reply is a chat template refusing a mid-conversation system message that this request
     * carries: then, with {@code --inline-system auto}, the gateway folds from now on and sends it again.
     */
    private boolean rejectsInlineSystem(MessagesRequest request, int status, byte[] body) {
        if (config.inlineSystem() != InlineSystem.AUTO
                || foldInlineSystem
                || status < 400
                || status == 429
                || status == 503
                || request.messages().stream().noneMatch(m -> m.role() == Role.SYSTEM)) {
            return false;
        }
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
        return text.contains("system message")
                || text.contains("system role")
                || text.contains("got system")
                || text.contains("roles must alternate");
    }

    /** A GET's status and body; throws when the server cannot be reached. */
    private record Got(int status, byte[] body) {}

    /**
     * {@code ": message"} of an error body such as llama.cpp's {@code {"error":{"message":"Loading model"}}}, or "".
     */
    private String reason(Got got) {
        String m = replies.errorMessage(got.body());
        return m.isEmpty() ? "" : ": " + m;
    }

    private Got get(URI uri) {
        try (UpstreamClient.Reply resp = http.send("GET", uri, headers(null, null), null, Duration.ofSeconds(3))) {
            return new Got(resp.status(), resp.body().readNBytes(MAX_ERROR_BODY));
        } catch (IOException e) {
            if (!Thread.currentThread().isInterrupted()) {
                throw transportFailure(e, false);
            }
            throw new GatewayException(ErrorKind.CANCELLED, "interrupted while probing " + config.baseUrl());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorKind.CANCELLED, "interrupted while probing " + config.baseUrl());
        }
    }

    /**
     * Whether the server can answer now, asked of the server on every call (the gateway asks at most once a
     * second): the full probe until it once succeeded, then one cheap GET — llama.cpp's {@code /health}, which
     * says 503 while a model loads, else {@code /v1/models}.
     */
    @Override
    public Readiness readiness() {
        if (!learned) {
            probe();
            return readiness;
        }
        try {
            URI uri = flavor.llamaCppApi() ? config.root().resolve("health") : URI.create(config.baseUrl() + "/models");
            Got got = get(uri);
            readiness = got.status() == 200
                    ? Readiness.up()
                    : Readiness.down(uri + " answered HTTP " + got.status() + reason(got));
        } catch (GatewayException e) {
            readiness = Readiness.down(e.getMessage());
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

    /** llama.cpp's calls beside the chat API (meaningful when {@link Flavor#llamaCppApi()}). */
    public LlamaServerClient llama() {
        return llama;
    }

    OpenAiDialect dialect(BackendRequest call) {
        OpenAiDialect base = flavor.dialect();
        return foldInlineSystem ? base.withFoldInlineSystem(true) : base;
    }

    /**
     * Servers without a reasoning parser leave {@code <think>} tags in the content; servers without a tool-call
     * parser leave the calls there too, in the format {@code --tool-format} names.
     */
    private OpenAiStreamTranslator.Options streamOptions(MessagesRequest request) {
        return OpenAiStreamTranslator.Options.of(request, TextFormats.of(config.textToolCalls()));
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
        MessagesRequest request = clamp(call.request());
        OpenAiDialect dialect = dialect(call);
        byte[] body = writer.write(request, dialect);
        try (UpstreamClient.Reply resp = send(body, request.stream() ? "text/event-stream" : "application/json")) {
            InputStream in = resp.body();
            if (resp.status() != 200) {
                byte[] error = in.readNBytes(MAX_ERROR_BODY);
                if (rejectsInlineSystem(request, resp.status(), error)) {
                    foldInlineSystem = true;
                    log.info(
                            "{} rejected a mid-conversation system message (HTTP {}: {}): folding them into the user "
                                    + "turn from now on",
                            config.baseUrl(),
                            resp.status(),
                            replies.errorMessage(error));
                    resp.close();
                    generate(call, sink); // once: now folded, the same error cannot come back for this reason
                    return;
                }
                throw errors.classify(resp.status(), error, config.baseUrl().toString(), retryAfter(resp));
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
                if (resp.expired()) {
                    throw new GatewayException(
                            ErrorKind.BACKEND_TIMEOUT,
                            "backend " + config.baseUrl() + " sent nothing for "
                                    + config.responseTimeout().toSeconds() + " s",
                            e,
                            2);
                }
                throw new GatewayException(
                        ErrorKind.PROTOCOL_VIOLATION,
                        "connection to " + config.baseUrl() + " lost mid-response: " + e.getMessage(),
                        e);
            }
        }
    }

    private void pumpStream(InputStream in, EventSink sink, OpenAiStreamTranslator.Options options) throws IOException {
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

    /** POSTs a chat completion, waiting up to the response timeout for the answer to begin. */
    private UpstreamClient.Reply send(byte[] body, String accept) throws IOException {
        try {
            return http.send("POST", chatUri, headers("application/json", accept), body, config.responseTimeout());
        } catch (IOException e) {
            throw transportFailure(e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("cancelled: the client left");
        }
    }

    private GatewayException transportFailure(IOException e, boolean generating) {
        String where = config.baseUrl().toString();
        if (e instanceof HttpConnectTimeoutException
                || e instanceof ConnectException
                || e.getCause() instanceof ConnectException) {
            return new GatewayException(
                    ErrorKind.BACKEND_UNREACHABLE, "backend unreachable: " + where + " (" + describe(e) + ")", e, 2);
        }
        if (e instanceof HttpTimeoutException) {
            return new GatewayException(
                    ErrorKind.BACKEND_TIMEOUT,
                    "backend " + where + " did not answer within "
                            + config.responseTimeout().toSeconds() + " s",
                    e,
                    2);
        }
        if (e instanceof ProtocolException) {
            return new GatewayException(
                    ErrorKind.PROTOCOL_VIOLATION,
                    "backend " + where + " did not answer in HTTP/1.x: " + describe(e),
                    e);
        }
        // A pooled connection the server had closed (llama.cpp closes after every stream) fails like this:
        // retryable, and the retry opens a fresh connection.
        log.debug("transport failure to {} (generating={}): {}", where, generating, e.toString());
        return new GatewayException(
                ErrorKind.BACKEND_UNREACHABLE, "backend " + where + " closed the connection: " + describe(e), e, 1);
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        if (m == null && e.getCause() != null) {
            m = e.getCause().toString();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static long retryAfter(UpstreamClient.Reply resp) {
        return resp.header("retry-after")
                .map(v -> {
                    try {
                        return Long.parseLong(v.trim());
                    } catch (NumberFormatException e) {
                        return -1L;
                    }
                })
                .orElse(-1L);
    }

    /** The request headers: the given Content-Type and Accept (each null for none) and the API key. */
    private Map<String, String> headers(String contentType, String accept) {
        Map<String, String> h = new LinkedHashMap<>(4);
        if (contentType != null) {
            h.put("Content-Type", contentType);
        }
        if (accept != null) {
            h.put("Accept", accept);
        }
        if (config.apiKey() != null && !config.apiKey().isBlank()) {
            h.put("Authorization", "Bearer " + config.apiKey());
        }
        return h;
    }

    @Override
    public TokenCount countTokens(BackendRequest call) {
        MessagesRequest request = call.request();
        Flavor f = flavor;
        try {
            switch (f.tokenCounting()) {
                case APPLY_TEMPLATE_THEN_TOKENIZE -> {
                    return new TokenCount(llama.countTokens(request, dialect(call)), true);
                }
                case TOKENIZE_CHAT -> {
                    byte[] chat = writer.write(request.withMaxTokens(1), dialect(call));
                    return new TokenCount(replies.tokenCount(post(config.root().resolve("tokenize"), chat)), true);
                }
                case ESTIMATE -> {}
            }
        } catch (GatewayException e) {
            log.debug("{} token count failed, estimating: {}", f.label(), e.getMessage());
        }
        return new TokenCount(PromptSize.estimateTokens(request), false);
    }

    private byte[] post(URI uri, byte[] body) {
        try (UpstreamClient.Reply resp =
                http.send("POST", uri, headers("application/json", null), body, Duration.ofSeconds(30))) {
            byte[] answer = resp.body().readAllBytes();
            if (resp.status() != 200) {
                throw errors.classify(resp.status(), answer, uri.toString(), retryAfter(resp));
            }
            return answer;
        } catch (IOException e) {
            if (!Thread.currentThread().isInterrupted()) {
                throw transportFailure(e, false);
            }
            throw new GatewayException(ErrorKind.CANCELLED, "cancelled");
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
