package dev.anyclaude.bench.jmh;

import dev.anyclaude.messages.EventJson;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.translate.OpenAiStreamTranslator;
import dev.anyclaude.translate.TextFormats;
import java.io.IOException;
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
 * {@code translate.OpenAiStreamTranslator} on a whole recorded OpenAI stream (one response per operation):
 * alone, and with every event encoded as an SSE frame by {@code api.EventJson}, which is the per-response work
 * of a streamed answer apart from I/O. The translator is configured as the OpenAI backend configures it
 * (think-tag parsing on, the request's tool names).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-XX:+UseSerialGC"})
public class StreamTranslationBenchmark {

    /**
     * {@code tokens-200}: a 200-token text answer, one chunk per token (llama.cpp style); {@code tools-round-trip}
     * and {@code thinking-reasoning-content}: the recorded streams of the translation goldens.
     */
    @Param({"tokens-200", "tools-round-trip", "thinking-reasoning-content"})
    public String stream;

    private List<String> chunks;
    private OpenAiStreamTranslator.Options options;
    private EventJson json;

    @Setup
    public void setUp() {
        chunks = stream.startsWith("tokens-")
                ? Inputs.tokenStream(Integer.parseInt(stream.substring(7)))
                : Inputs.goldenStream(stream);
        MessagesRequest request = Inputs.request("p-tool-bash-read/04");
        options = OpenAiStreamTranslator.Options.of(request, TextFormats.THINK_TAGS);
        json = new EventJson(Inputs.MAPPER);
    }

    @Benchmark
    public void translate(Blackhole bh) throws IOException {
        run(bh::consume);
    }

    @Benchmark
    public void translateAndEncodeSse(Blackhole bh) throws IOException {
        run(e -> bh.consume(json.sse(e)));
    }

    private void run(EventSink sink) throws IOException {
        OpenAiStreamTranslator t = new OpenAiStreamTranslator(Inputs.MAPPER, sink, options);
        t.start();
        for (String data : chunks) {
            t.onData(data);
        }
        t.onEnd();
    }
}
