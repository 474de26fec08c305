package dev.anyclaude.backend.embedded;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.engine.Engine;
import dev.anyclaude.engine.EngineConfig;
import dev.anyclaude.engine.NativeLibrary;
import dev.anyclaude.engine.NativeModel;
import dev.anyclaude.engine.NpmNatives;
import dev.anyclaude.engine.SlotSnapshot;
import dev.anyclaude.engine.Utf8Stream;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.Usage;
import dev.anyclaude.time.Clock;
import dev.anyclaude.translate.ModelOutputParser;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleConsumer;

/**
 * The embedded backend: a GGUF model run in this process by llama.cpp, with the KV cache owned by the
 * gateway (see {@link Engine}): each request goes to the slot holding the longest prefix of its
 * prompt, reused prompt tokens are counted exactly and reported as {@code cache_read_input_tokens},
 * and a slot's state is saved before the slot changes hands and restored when its prefix returns.
 *
 * <p>The model is loaded once per process (a second backend on the same file shares it; another
 * file is refused). Closing frees the slots and saved states, not the model.
 */
public final class EmbeddedBackend implements Backend {

    private final EngineConfig config;
    private final ObjectMapper json;
    private final NativeModel model;
    private final Engine engine;
    private final ChatFormat format;
    private volatile boolean closed;

    /** Loads the model (once per process) and creates the slots. */
    public EmbeddedBackend(EngineConfig config) {
        this(config, new ObjectMapper(), null);
    }

    /**
     * Loads the model (once per process) and creates the slots.
     *
     * @param json the gateway's mapper, used to read tool calls out of generated text
     * @param loadProgress receives model load progress in [0, 1]; may be null
     * @throws IllegalArgumentException when the file is not a loadable model
     * @throws IllegalStateException when another model is already loaded in this process, or the
     *     native library cannot be loaded here
     */
    public EmbeddedBackend(EngineConfig config, ObjectMapper json, DoubleConsumer loadProgress) {
        this(config, json, loadProgress, Clock.SYSTEM);
    }

    /**
     * As {@link #EmbeddedBackend(EngineConfig, ObjectMapper, DoubleConsumer)}, on {@code clock}: how long a request
     * waits for a slot, and the date a chat template's {@code strftime_now} shows.
     */
    public EmbeddedBackend(EngineConfig config, ObjectMapper json, DoubleConsumer loadProgress, Clock clock) {
        this.config = config;
        this.json = json;
        this.model = NativeModel.load(config.natives(), config.modelPath(), loadProgress);
        this.engine = new Engine(model, config, clock);
        this.format = new ChatFormat(model.chatTemplate, model.templateTokens(), json, clock);
    }

    @Override
    public String name() {
        return "embedded";
    }

    /** One line for start-up: the model, the template, the context and slot layout. */
    @Override
    public Map<String, Object> engineInfo() {
        NativeLibrary lib = model.library();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "llama.cpp");
        m.put("release", NpmNatives.RELEASE);
        m.put("commit", NpmNatives.COMMIT);
        m.put("version", model.libraryVersion());
        m.put("variant", lib.variant());
        m.put("devices", lib.devices().stream().map(Object::toString).toList());
        m.put("source", lib.source());
        return m;
    }

    public String describe() {
        return String.format(
                "model %s (%s), template %s, %d slot%s x %d tokens, %d threads, KV %d MiB, %s",
                model.path,
                model.description,
                format.describe(),
                engine.slotCount(),
                engine.slotCount() == 1 ? "" : "s",
                engine.nCtx,
                config.threads(),
                kvBytes() >> 20,
                model.engineLine());
    }

    @Override
    public void generate(BackendRequest backendRequest, EventSink sink) throws IOException {
        generate(backendRequest, sink, null);
    }

    /** {@link #generate(BackendRequest, EventSink)}, calling {@code firstToken} when the first token is sampled. */
    void generate(BackendRequest backendRequest, EventSink sink, Runnable firstToken) throws IOException {
        requireOpen();
        MessagesRequest request = backendRequest.request();
        Engine.Params params = params(request);
        ChatFormat.Prompt prompt = format.render(request);
        int[] tokens = model.tokenize(prompt.text());
        if (tokens.length > engine.nCtx) {
            throw GatewayException.contextOverflow(tokens.length, engine.nCtx);
        }
        ModelOutputParser parser = new ModelOutputParser(
                sink, prompt.formats(), prompt.toolSchemas(), request.thinkingOn(), prompt.singleCall());
        Utf8Stream utf8 = new Utf8Stream();

        Engine.Generation gen = engine.generate(tokens, params.withGrammar(prompt.grammar()), new Engine.Listener() {
            @Override
            public void started(int slot, int promptTokens, int reused) throws IOException {
                parser.start(new Usage(promptTokens - reused, 0, reused, 0));
            }

            private boolean first = true;

            @Override
            public boolean token(int token) throws IOException {
                if (first && firstToken != null) {
                    firstToken.run();
                }
                first = false;
                parser.onText(utf8.accept(model.piece(token)));
                return parser.stopRequested();
            }
        });

        parser.onText(utf8.finish());
        boolean truncated = gen.stop() == Engine.Stop.MAX_TOKENS || gen.stop() == Engine.Stop.CONTEXT_FULL;
        StopReason reason = truncated && !parser.stopRequested() ? StopReason.MAX_TOKENS : StopReason.END_TURN;
        Usage usage = new Usage(gen.promptTokens() - gen.reusedTokens(), gen.output().length, gen.reusedTokens(), 0);
        parser.finish(reason, usage);
    }

    private Engine.Params params(MessagesRequest r) {
        if (r.maxTokens() < 1) {
            throw GatewayException.invalid("max_tokens: " + r.maxTokens() + " (expected: a positive integer)");
        }
        double temperature = r.temperature() == null ? 1.0 : r.temperature();
        if (!Double.isFinite(temperature) || temperature < 0 || temperature > 2) {
            throw GatewayException.invalid("temperature: " + r.temperature() + " (expected: a number from 0 to 2)");
        }
        double topP = r.topP() == null ? 1.0 : r.topP();
        if (!Double.isFinite(topP) || topP <= 0 || topP > 1) {
            throw GatewayException.invalid("top_p: " + r.topP() + " (expected: a number above 0 and at most 1)");
        }
        int topK = r.topK() == null ? 0 : r.topK();
        if (topK < 0) {
            throw GatewayException.invalid("top_k: " + r.topK() + " (expected: 0 or a positive integer)");
        }
        if (r.messages() == null || r.messages().isEmpty()) {
            throw GatewayException.invalid("messages: empty (expected: at least one message)");
        }
        int seed = config.seed() >= 0
                ? (int) config.seed()
                : ThreadLocalRandom.current().nextInt() & Integer.MAX_VALUE;
        return new Engine.Params(r.maxTokens(), temperature, topK, topP, seed);
    }

    @Override
    public TokenCount countTokens(BackendRequest request) {
        requireOpen();
        return new TokenCount(model.tokenize(format.render(request.request()).text()).length, true);
    }

    @Override
    public List<String> models() {
        return List.of(model.fileStem());
    }

    @Override
    public Readiness readiness() {
        return closed ? Readiness.down("embedded engine closed") : Readiness.up();
    }

    @Override
    public long contextTokens() {
        return engine.nCtx;
    }

    /** Per-slot figures for {@code /cache/stats} and metrics. */
    public List<SlotSnapshot> slotStats() {
        return engine.stats();
    }

    /** Bytes of KV cache held in memory: the slots' caches plus saved states kept in RAM. */
    public long kvBytes() {
        return engine.kvBytes();
    }

    /** Memory pressure: frees the KV caches of idle slots (they start empty next time); returns bytes freed. */
    public long eraseIdleSlots() {
        return engine.eraseIdleSlots();
    }

    /** Memory pressure: frees saved slot states held in RAM (disk copies stay); returns bytes freed. */
    public long dropSavedStates() {
        return engine.dropSavedStates();
    }

    private void requireOpen() {
        if (closed) {
            throw new GatewayException(ErrorKind.BACKEND_UNREACHABLE, "the embedded engine is closed");
        }
    }

    /** Frees slots and saved states (files included); the model stays loaded for the process. */
    @Override
    public void close() {
        closed = true;
        engine.close();
    }

    Engine engine() {
        return engine;
    }

    NativeModel model() {
        return model;
    }

    ChatFormat format() {
        return format;
    }
}
