package dev.anyclaude.cache;

import dev.anyclaude.api.RequestParser;
import dev.anyclaude.bench.jmh.Inputs;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Tool;
import dev.anyclaude.messages.Usage;
import dev.anyclaude.prefix.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The exact response cache's (L2) key on a real request: the canonical bytes ({@link CanonicalRequest}), their
 * SHA-256 ({@link CacheKey}), the byte comparison that confirms a hit, and {@link ResponseCache#lookup} and
 * {@link ResponseCache#store} around them, which is what a request pays per lookup and per stored answer.
 *
 * <p>The request is normalized (billing header dropped) as the endpoint does before the lookup. Two cases for
 * the tools, whose encoding {@link CanonicalRequest} memoizes by identity of the tool list:
 *
 * <ul>
 *   <li><b>warm</b> ({@code encode}, {@code key}, {@code lookup*}): the request's own parsed tool list, as the
 *       gateway sees every turn after the first of a tool set, since its one {@link RequestParser} hands out one
 *       list instance per tool bytes;
 *   <li><b>cold</b> ({@code *ColdTools}): a fresh list with the same tools for every operation, as the first
 *       request of a tool set (or one whose list fell out of the parser's 32-entry cache): every tool is
 *       encoded again and the memo gets a new entry. Copying the 24 references is part of the measured cost.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-XX:+UseSerialGC"})
public class CanonicalKeyBenchmark {

    /** The first request of a session (2 messages) and the third turn of a tool session (77 KB, 24 tools). */
    @Param({"p-say-hi-1/02", "p-tool-bash-read/04"})
    public String capture;

    private MessagesRequest request;
    private byte[] canonical;
    private byte[] storedCanonical;
    private CacheKey key;
    private List<StreamEvent> answer;
    private ResponseCache empty;
    private ResponseCache holding;

    @Setup
    public void setUp() {
        request = new Normalizer(true).normalize(new RequestParser(Inputs.MAPPER).parse(Inputs.body(capture)));
        canonical = CanonicalRequest.encode(request);
        key = CacheKey.of(request);
        // what the memory tier holds for this request: equal bytes in another array, as a stored entry has
        storedCanonical = CanonicalRequest.encode(request);
        if (storedCanonical == canonical
                || !key.matches(storedCanonical)
                || !key.matches(CanonicalRequest.encode(withFreshTools()))) {
            throw new IllegalStateException("the canonical encoding of " + capture + " is not stable");
        }
        answer = List.of(
                new StreamEvent.MessageStart("msg_1", request.model(), new Usage(15000, 0, 14800, 0)),
                new StreamEvent.BlockStart(0, new StreamEvent.TextBlock()),
                new StreamEvent.BlockDelta(0, new StreamEvent.TextDelta("The file holds")),
                new StreamEvent.BlockDelta(0, new StreamEvent.TextDelta(" three lines: a")),
                new StreamEvent.BlockDelta(0, new StreamEvent.TextDelta(" header, a body and a footer.")),
                new StreamEvent.BlockStop(0),
                new StreamEvent.MessageDelta(StopReason.END_TURN, null, new Usage(15000, 12, 14800, 0)),
                new StreamEvent.MessageStop());
        ResponseCacheConfig config = ResponseCacheConfig.defaults().withPolicy(CachePolicy.ALWAYS);
        empty = new ResponseCache(config);
        holding = new ResponseCache(config);
        holding.store(key, answer);
        if (!(holding.lookup(request, CacheDirectives.NONE) instanceof Lookup.Hit)
                || !(empty.lookup(request, CacheDirectives.NONE) instanceof Lookup.Miss)) {
            throw new IllegalStateException("the response cache does not answer " + capture + " as expected");
        }
    }

    @TearDown
    public void tearDown() {
        empty.close();
        holding.close();
    }

    private MessagesRequest withFreshTools() {
        List<Tool> tools = Collections.unmodifiableList(new ArrayList<>(request.tools()));
        MessagesRequest r = request;
        return new MessagesRequest(
                r.model(),
                r.maxTokens(),
                r.system(),
                r.messages(),
                tools,
                r.toolChoice(),
                r.temperature(),
                r.topP(),
                r.topK(),
                r.stopSequences(),
                r.thinking(),
                r.outputSchemaJson(),
                r.effort(),
                r.stream());
    }

    /** Canonical bytes, tools from the memo (warm). */
    @Benchmark
    public byte[] encode() {
        return CanonicalRequest.encode(request);
    }

    /** Canonical bytes, every tool encoded again (cold). */
    @Benchmark
    public byte[] encodeColdTools() {
        return CanonicalRequest.encode(withFreshTools());
    }

    /** SHA-256 of the canonical bytes alone. */
    @Benchmark
    public CacheKey.Digest sha256() {
        return CacheKey.Digest.sha256(canonical);
    }

    /** The key as every lookup computes it: canonical bytes (warm) and their SHA-256. */
    @Benchmark
    public CacheKey key() {
        return CacheKey.of(request);
    }

    /** The key for the first request of a tool set (cold). */
    @Benchmark
    public CacheKey keyColdTools() {
        return CacheKey.of(withFreshTools());
    }

    /** Confirming a hit: the request's canonical bytes against the stored entry's. */
    @Benchmark
    public boolean confirmHit() {
        return key.matches(storedCanonical);
    }

    /** A whole lookup that misses (every uncached request pays it): policy, key, memory tier probe. */
    @Benchmark
    public Lookup lookupMiss() {
        return empty.lookup(request, CacheDirectives.NONE);
    }

    /** A whole lookup that hits: key, probe, byte confirmation and the replayed 8-event answer (fresh ids). */
    @Benchmark
    public Lookup lookupHit() {
        return holding.lookup(request, CacheDirectives.NONE);
    }

    /** Storing an answer after a miss (the key comes from the lookup): entry weighing and the memory tier put. */
    @Benchmark
    public CacheKey store() {
        holding.store(key, answer);
        return key;
    }
}
