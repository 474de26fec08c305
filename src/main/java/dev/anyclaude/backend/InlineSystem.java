package dev.anyclaude.backend;

import java.util.Locale;

/**
 * What the gateway does with a mid-conversation {@code role: "system"} message (Claude Code 2.1.332 sends
 * one right after the first user message: environment, deferred tools, agent types, the date).
 *
 * <p>Chat templates differ (measured on llama.cpp v0.5.0 over its 70 bundled templates with
 * {@code scripts/late-system-survey.sh}, docs/l1.md): 46 render it in place; 6 (Qwen3.5, Ministral, Mistral
 * Small, Gemma 2, …) raise an exception; 8 (gpt-oss, MiniMax M1–M3, SmolLM3, …) drop it without a word, so the
 * model never sees it; 10 (DeepSeek, Hy3, Solar) move it into the first system message, so each new one
 * rewrites the start of the prompt. Folded, it becomes {@code <system-reminder>} text of the user turn it came
 * with, which every template renders where it was sent.
 */
public enum InlineSystem {
    /** Ask the server once how its template renders one (llama.cpp), and fold if the server rejects one. */
    AUTO,
    /** Always send it as a system message. */
    KEEP,
    /** Always fold it into the adjacent user turn. */
    FOLD;

    public static InlineSystem parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("--inline-system: " + s + " (expected: auto, keep or fold)");
        }
    }
}
