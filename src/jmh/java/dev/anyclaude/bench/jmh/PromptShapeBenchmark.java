package dev.anyclaude.bench.jmh;

import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.prefix.Normalizer;
import dev.anyclaude.prefix.PromptShape;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code prefix.PromptShape}: the chunk-hash fingerprint of a 77 KB prompt, and the divergence between two
 * consecutive turns of a real session (turn 3 against turn 2: the conversation only grew).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-XX:+UseSerialGC"})
public class PromptShapeBenchmark {
    private MessagesRequest turn3;
    private PromptShape shape2;
    private PromptShape shape3;

    @Setup
    public void setUp() {
        Normalizer n = new Normalizer(true);
        turn3 = n.normalize(Inputs.request("p-tool-bash-read/04"));
        shape2 = PromptShape.of(n.normalize(Inputs.request("p-tool-bash-read/03")));
        shape3 = PromptShape.of(turn3);
    }

    @Benchmark
    public PromptShape fingerprint() {
        return PromptShape.of(turn3);
    }

    @Benchmark
    public PromptShape.Divergence divergenceFromPreviousTurn() {
        return shape3.divergenceFrom(shape2);
    }

    /** What the request path pays per request: fingerprint the new prompt and compare it to the last one. */
    @Benchmark
    public PromptShape.Divergence fingerprintAndCompare() {
        return PromptShape.of(turn3).divergenceFrom(shape2);
    }
}
