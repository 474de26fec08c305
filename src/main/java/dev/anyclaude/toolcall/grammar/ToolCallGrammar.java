package dev.anyclaude.toolcall.grammar;

import java.util.List;

/**
 * A GBNF grammar that constrains a model's tool calls, ready for llama.cpp's grammar sampler.
 *
 * @param gbnf the grammar text
 * @param root the name of its start rule
 * @param triggerPatterns when not empty the grammar is lazy: these regexes (ECMAScript, as {@code std::regex})
 *     are matched against the whole output so far and the grammar takes over from the start of the first
 *     capture group — the format's call opener; written {@code ^[\s\S]*?(OPENER)[\s\S]*$}, so they work both
 *     as a full match and as a search
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
