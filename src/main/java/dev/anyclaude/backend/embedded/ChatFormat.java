package dev.anyclaude.backend.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.backend.LlamaServerClient.LateSystem;
import dev.anyclaude.engine.Grammar;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.ToolChoice;
import dev.anyclaude.template.ChatTemplate;
import dev.anyclaude.template.TemplateException;
import dev.anyclaude.template.TemplateTokens;
import dev.anyclaude.time.Clock;
import dev.anyclaude.toolcall.OutputParsers;
import dev.anyclaude.toolcall.ToolCallSyntax;
import dev.anyclaude.toolcall.grammar.JsonSchemaGrammar;
import dev.anyclaude.toolcall.grammar.ToolCallGrammar;
import dev.anyclaude.toolcall.grammar.ToolCallGrammars;
import dev.anyclaude.translate.OpenAiDialect;
import dev.anyclaude.translate.OpenAiRequestWriter;
import dev.anyclaude.translate.TextFormats;
import dev.anyclaude.translate.ToolSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * How the embedded engine talks to its model: the request rendered through the model's own Jinja chat template as
 * llama.cpp's server renders it (the same OpenAI-shaped request the gateway would send a llama.cpp server, the same
 * template, the same bytes), the tool-call format that template teaches, and the grammar that keeps a model's calls
 * parseable.
 *
 * <p>A model without a template gets chatml with Hermes-style tools ({@code embedded/chatml-tools.jinja}), as
 * llama.cpp falls back to chatml. A template that moves, drops or rejects a system message after the first user turn
 * (probed once, as {@code --inline-system auto} does for a server) gets such messages folded into the user turn.
 */
final class ChatFormat {
    private static final String FALLBACK = "embedded/chatml-tools.jinja";

    /**
     * One request's prompt and how to read and constrain the answer.
     *
     * @param grammar the grammar sampling follows, or null
     * @param singleCall stop after the first tool call
     */
    record Prompt(
            String text, TextFormats formats, Map<String, JsonNode> toolSchemas, Grammar grammar, boolean singleCall) {}

    private final String name;
    private final ChatTemplate template;
    private final ToolCallSyntax syntax;
    private final TemplateTokens tokens;
    private final ObjectMapper json;
    private final OpenAiRequestWriter writer;
    private final LateSystem lateSystem;
    private final OpenAiDialect dialect;

    ChatFormat(String ggufTemplate, TemplateTokens tokens, ObjectMapper json, Clock clock) {
        boolean own = ggufTemplate != null && !ggufTemplate.isBlank();
        String source = own ? ggufTemplate : fallback();
        this.name = own
                ? "the model's own (" + source.length() + " characters)"
                : "chatml with Hermes tools (the model has none)";
        this.template = ChatTemplate.parse(source, clock);
        this.syntax = own ? ToolCallSyntax.detect(source) : ToolCallSyntax.HERMES;
        this.tokens = tokens;
        this.json = json;
        this.writer = new OpenAiRequestWriter(json);
        this.lateSystem = probeLateSystem();
        boolean fold = lateSystem != LateSystem.IN_PLACE;
        this.dialect = OpenAiDialect.LLAMA_CPP.withFoldInlineSystem(fold);
    }

    /** For start-up and {@code /cache/stats}: which template, which tool-call format. */
    String describe() {
        return name + ", tool calls " + syntax.name().toLowerCase(java.util.Locale.ROOT)
                + (lateSystem == LateSystem.IN_PLACE
                        ? ""
                        : ", late system messages folded (template: " + lateSystem + ")");
    }

    ToolCallSyntax syntax() {
        return syntax;
    }

    /** The prompt for {@code request} and how its answer is read. */
    Prompt render(MessagesRequest request) {
        Map<String, JsonNode> schemas = ToolSchemas.of(request.tools());
        ToolChoice choice = request.toolChoice();
        String type = choice == null || choice.type() == null ? "auto" : choice.type();
        String forced = switch (type) {
            case "auto", "none" -> null;
            case "any" -> {
                requireTools(schemas, "any");
                yield "";
            }
            case "tool" -> {
                requireTools(schemas, "tool");
                if (choice.name() == null || !schemas.containsKey(choice.name())) {
                    throw GatewayException.invalid("tool_choice.name: "
                            + (choice.name() == null ? "missing" : "\"" + choice.name() + "\"")
                            + " (expected: the name of one of the request's tools)");
                }
                yield choice.name();
            }
            default ->
                throw GatewayException.invalid(
                        "tool_choice.type: \"" + type + "\" (expected: auto, any, tool or none)");
        };
        String text = apply(request);
        Grammar grammar = null;
        if (request.outputSchemaJson() != null) {
            grammar = Grammar.strict(JsonSchemaGrammar.gbnf(readSchema(request.outputSchemaJson())));
        } else if (!schemas.isEmpty() && !"none".equals(type)) {
            grammar = ToolCallGrammars.forTools(syntax, schemas, forced)
                    .map(ChatFormat::grammar)
                    .orElse(null);
        }
        boolean thinking = OutputParsers.startsInThinking(text);
        return new Prompt(
                text,
                TextFormats.of(syntax).withStartInThinking(thinking),
                schemas,
                grammar,
                choice != null && choice.disableParallelToolUse());
    }

    private String apply(MessagesRequest request) {
        // Requests built in code (tests, the benchmark) may leave the lists out; the parser never does.
        if (request.system() == null) {
            request = request.withSystem(java.util.List.of());
        }
        if (request.tools() == null) {
            request = request.withTools(java.util.List.of());
        }
        // A final assistant message is a prefill the answer continues: as llama-server does, the conversation before
        // it is rendered with its generation prompt and the prefill's text follows.
        String prefill = null;
        java.util.List<Message> messages = request.messages();
        if (!messages.isEmpty()
                && messages.getLast().role() == Role.ASSISTANT
                && messages.getLast().content().stream().noneMatch(b -> b instanceof ContentBlock.ToolUse)) {
            prefill = ContentBlock.joinText(messages.getLast().content());
            request = request.withMessages(messages.subList(0, messages.size() - 1));
        }
        try {
            JsonNode chat = json.readTree(writer.write(request, dialect, false));
            String prompt = template.apply(chat, tokens);
            if (prefill == null) {
                return prompt;
            }
            // the generation prompt opened a thinking block: the prefill is the answer, after it
            return (OutputParsers.startsInThinking(prompt) ? prompt + "\n</think>\n\n" : prompt) + prefill;
        } catch (TemplateException e) {
            // What llama.cpp's server answers a template exception with, made a client error: the request's shape
            // is what the template refuses (Claude Code drops the offending turn on a 400 and retries a 500).
            throw GatewayException.invalid("the model's chat template cannot render this request: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private LateSystem probeLateSystem() {
        try {
            return LateSystem.of(
                    template.apply(json.readTree(dev.anyclaude.backend.LlamaServerClient.LATE_SYSTEM_PROBE), tokens));
        } catch (TemplateException e) {
            return LateSystem.REJECTED;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode readSchema(String schema) {
        try {
            return json.readTree(schema);
        } catch (IOException e) {
            throw GatewayException.invalid("output_config.format.schema: not JSON (" + e.getMessage() + ")");
        }
    }

    private static Grammar grammar(ToolCallGrammar g) {
        return new Grammar(g.gbnf(), g.root(), g.triggerPatterns(), g.triggerTokens());
    }

    private static void requireTools(Map<String, JsonNode> schemas, String type) {
        if (schemas.isEmpty()) {
            throw GatewayException.invalid("tool_choice: \"" + type
                    + "\" with no tools (expected: at least one custom tool, or tool_choice auto or none)");
        }
    }

    private static String fallback() {
        try (InputStream in = ChatFormat.class.getClassLoader().getResourceAsStream(FALLBACK)) {
            if (in == null) {
                throw new IllegalStateException(FALLBACK + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
