package dev.anyclaude.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.template.ChatTemplate;
import dev.anyclaude.template.TemplateTokens;
import dev.anyclaude.time.Clock;
import dev.anyclaude.translate.OpenAiDialect;
import dev.anyclaude.translate.OpenAiRequestWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * What the embedded engine spends to render one Claude Code request through the model's own Jinja template: the
 * request translated to the llama.cpp chat shape, read as JSON, rendered ({@code template.ChatTemplate.apply}).
 * Input: the 2.1.332 tool-loop capture's third request (55 KB); templates from the test resources.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-XX:+UseSerialGC"})
public class ChatTemplateBenchmark {

    @Param({"Qwen3-Coder", "openai-gpt-oss-120b", "deepseek-ai-DeepSeek-V4"})
    public String template;

    private MessagesRequest request;
    private OpenAiRequestWriter writer;
    private ChatTemplate chat;
    private final TemplateTokens tokens = new TemplateTokens("<s>", "</s>", true, false);

    @Setup
    public void setUp() throws IOException {
        request = new RequestParser(Inputs.MAPPER).parse(Inputs.body("2.1.332/tool-loop/03"));
        writer = new OpenAiRequestWriter(Inputs.MAPPER);
        try {
            chat = ChatTemplate.parse(
                    Files.readString(Path.of("src/test/resources/toolcall/templates/" + template + ".jinja")),
                    Clock.SYSTEM);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Benchmark
    public String render() throws IOException {
        JsonNode openAi = Inputs.MAPPER.readTree(writer.write(request, OpenAiDialect.llamaCpp(), false));
        return chat.apply(openAi, tokens);
    }
}
