package dev.anyclaude.engine;

import java.util.List;

/**
 * A GBNF grammar the engine's sampler follows: from the first token, or — lazy — only once the output matches one
 * of {@code triggerPatterns} (regular expressions over the whole output, constrained from their first group on) or
 * the model samples one of {@code triggerTokens}. A lazy tool-call grammar lets the model write freely until it
 * opens a call, and then only calls that parse and match a tool's schema.
 *
 * @param gbnf the rules, in llama.cpp's GBNF
 * @param root the start rule's name
 */
public record Grammar(String gbnf, String root, List<String> triggerPatterns, List<String> triggerTokens) {
    public Grammar {
        triggerPatterns = List.copyOf(triggerPatterns);
        triggerTokens = List.copyOf(triggerTokens);
    }

    /** Constrained from the first token. */
    public static Grammar strict(String gbnf) {
        return new Grammar(gbnf, "root", List.of(), List.of());
    }

    public boolean lazy() {
        return !triggerPatterns.isEmpty() || !triggerTokens.isEmpty();
    }
}
