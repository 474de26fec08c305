package dev.anyclaude.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A model's Jinja chat template, parsed once and rendered as llama-server's {@code POST /apply-template} renders it
 * for an OpenAI-shaped chat request.
 */
public final class ChatTemplate {
    private final List<Node> program;
    private final TemplateSource source;
    private final Supplier<ZonedDateTime> clock;
    private volatile @Nullable TemplateCaps caps;

    private ChatTemplate(List<Node> program, TemplateSource source, Supplier<ZonedDateTime> clock) {
        this.program = program;
        this.source = source;
        this.clock = clock;
    }

    /**
     * Parses a template; a syntax error is a {@link TemplateException} naming the line.
     *
     * @param wall the time {@code strftime_now} shows, in this machine's time zone
     */
    public static ChatTemplate parse(String source, InstantSource wall) {
        return new ChatTemplate(
                Parser.parse(source),
                TemplateSource.of(source),
                () -> ZonedDateTime.ofInstant(wall.instant(), ZoneId.systemDefault()));
    }

    /** The same template with {@code strftime_now} reading another clock (for tests). */
    public ChatTemplate withClock(Supplier<ZonedDateTime> clock) {
        return new ChatTemplate(program, source, clock);
    }

    /**
     * Renders the prompt of an OpenAI chat request ({@code messages}, optional {@code tools},
     * {@code chat_template_kwargs}, {@code add_generation_prompt}, {@code enable_thinking}, {@code reasoning_effort}).
     *
     * @throws TemplateException when the template raises or fails, as the server then answers an error
     */
    public String apply(JsonNode request, TemplateTokens tokens) {
        return tokens.trim(render(ChatInputs.variables(request, caps(), source, tokens, clock.get())));
    }

    /** Renders with exactly these variables (JSON-shaped values) besides the global functions. */
    public String render(Map<String, Object> variables) {
        return render(variables, null);
    }

    String render(Map<String, Object> variables, java.util.@Nullable Set<Object> read) {
        Scope globals = new Scope(null);
        Globals.install(globals, clock);
        variables.forEach(globals::set);
        return Interpreter.render(program, globals, read);
    }

    /** What the template does with system messages, tools and tool calls, probed as llama.cpp probes it. */
    public TemplateCaps caps() {
        TemplateCaps c = caps;
        if (c == null) {
            c = TemplateCaps.probe(this);
            caps = c;
        }
        return c;
    }
}
