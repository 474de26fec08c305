package dev.anyclaude.bench.jmh;

import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.prefix.Normalizer;
import dev.anyclaude.translate.OpenAiDialect;
import dev.anyclaude.translate.OpenAiRequestWriter;
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

/**
 * The request half of the path after parsing: {@code prefix.Normalizer} and {@code translate.OpenAiRequestWriter}
 * writing the OpenAI chat body (~75 KB) of the third turn of a real tool session.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-XX:+UseSerialGC"})
public class RequestTranslationBenchmark {

    /** A generic OpenAI server, and llama.cpp (thinking switch and extra fields). */
    @Param({"default", "llamacpp"})
    public String dialect;

    private MessagesRequest request;
    private Normalizer normalizer;
    private OpenAiRequestWriter writer;
    private OpenAiDialect d;

    @Setup
    public void setUp() {
        request = Inputs.request("p-tool-bash-read/04").withModel("qwen");
        normalizer = new Normalizer(true);
        writer = new OpenAiRequestWriter(Inputs.MAPPER);
        d = dialect.equals("llamacpp") ? OpenAiDialect.llamaCpp() : OpenAiDialect.openAi();
    }

    @Benchmark
    public byte[] normalizeAndWrite() {
        return writer.write(normalizer.normalize(request), d);
    }

    @Benchmark
    public MessagesRequest normalizeOnly() {
        return normalizer.normalize(request);
    }
}
