package dev.anyclaude.bench.jmh;

import dev.anyclaude.api.RequestParser;
import dev.anyclaude.messages.MessagesRequest;
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

/** {@code api.RequestParser}: bytes of a real Claude Code body (77 KB) to a validated {@code MessagesRequest}. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-XX:+UseSerialGC"})
public class RequestParsingBenchmark {

    /** The first request of a session (2 messages) and the third turn of a tool session (6 messages). */
    @Param({"p-say-hi-1/02", "p-tool-bash-read/04"})
    public String capture;

    private byte[] body;
    private RequestParser parser;

    @Setup
    public void setUp() {
        body = Inputs.body(capture);
        parser = new RequestParser(Inputs.MAPPER);
    }

    @Benchmark
    public MessagesRequest parse() {
        return parser.parse(body);
    }
}
