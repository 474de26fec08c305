package dev.anyclaude.toolcall.grammar;

import java.util.List;

/**
 * A GBNF grammar that constrains a model's tool calls, ready for llama.cpp's grammar sampler.
 *
 * @param gbnf the grammar text
 * @param root the name of its start rule
 * @param triggerPatterns when not empty the grammar is lazy: regexes (ECMAScript, for llama.cpp's
 *     {@code std::regex}) checked against the output so far after every token; the grammar takes over from the
 *     start of the first capture group, which is the format's call opener. Written for llama.cpp's semantics:
 *     searched anywhere ({@code (OPENER)}), or anchored at the start only ({@code ^\s*(OPENER)}); none is
 *     anchored at both ends, which llama.cpp would run as a (much slower) whole-output match
 * @param triggerTokens token texts that also start the grammar when the model emits them as one token (empty
 *     when the patterns already cover them, which is always the case for the grammars built here)
 */
public record ToolCallGrammar(String gbnf, String root, List<String> triggerPatterns, List<String> triggerTokens) {
    public ToolCallGrammar {
        triggerPatterns = List.copyOf(triggerPatterns);
        triggerTokens = List.copyOf(triggerTokens);
    }

    /** Whether the grammar waits for a trigger (else it constrains the output from its first token). */
    public boolean lazy() {
        return !triggerPatterns.isEmpty() || !triggerTokens.isEmpty();
    }
}
