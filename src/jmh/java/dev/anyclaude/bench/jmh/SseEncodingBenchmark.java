package dev.anyclaude.bench.jmh;

import dev.anyclaude.messages.EventJson;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.translate.OpenAiStreamTranslator;
import dev.anyclaude.translate.TextFormats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@code api.EventJson}: the Anthropic events of one whole answer encoded as SSE frames, and aggregated into
 * the non-streaming Messages JSON. The events are what the translator produced from the recorded stream.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-XX:+UseSerialGC"})
public class SseEncodingBenchmark {

    @Param({"tokens-200", "tools-round-trip"})
    public String stream;

    private List<StreamEvent> events;
    private EventJson json;

    @Setup
    public void setUp() {
        List<String> chunks = stream.startsWith("tokens-")
                ? Inputs.tokenStream(Integer.parseInt(stream.substring(7)))
                : Inputs.goldenStream(stream);
        List<StreamEvent> out = new ArrayList<>();
        OpenAiStreamTranslator t = new OpenAiStreamTranslator(
                Inputs.MAPPER,
                out::add,
                new OpenAiStreamTranslator.Options(
                        TextFormats.NONE, java.util.Map.of("Read", Inputs.MAPPER.createObjectNode())));
        try {
            t.start();
            for (String data : chunks) {
                t.onData(data);
            }
            t.onEnd();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        events = List.copyOf(out);
        json = new EventJson(Inputs.MAPPER);
    }

    /** Every event of the answer as one SSE frame, as the streaming endpoint writes them. */
    @Benchmark
    public void sseFrames(Blackhole bh) {
        for (StreamEvent e : events) {
            bh.consume(json.sse(e));
        }
    }

    /** The non-streaming response body aggregated from the same events. */
    @Benchmark
    public byte[] messageJson() {
        return json.message(events);
    }
}
