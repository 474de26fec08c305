package dev.anyclaude.bench;

import java.util.Locale;

/**
 * How much of a recorded Claude Code request an agent replay keeps. The shape stays (billing header,
 * identity line, main prompt, tools in Claude Code's order, the mid-conversation agent list, tool
 * results as plain strings); only sizes are bounded.
 *
 * <p>Why trim at all: the generated test models have a byte vocabulary, one token per character, so
 * Claude Code's 77 KB body is ~77,000 tokens there (a real tokenizer makes it ~19,000), beyond what a
 * 2-core machine prefills in CI time. Tool results are capped in proportion, so that a turn's growth
 * relative to the prefix stays what it is in a real session; the fixed per-turn cost (chat template
 * markers, tool call JSON) is not scaled down, which makes a trimmed replay's reuse ratio a little
 * worse than the real one, never better.
 *
 * @param systemChars characters kept of Claude Code's main system prompt ({@code system[2]}, 5,984
 *     in the capture), from its start; 0 keeps it whole
 * @param agentListChars characters kept of the mid-conversation {@code role: "system"} agent list
 *     (6,062 in the capture); 0 keeps it whole
 * @param firstTools the first this many tools in Claude Code's order (24 in the capture), plus every
 *     tool the replayed session calls, in their places; negative keeps all
 * @param toolResultChars longest tool result, in characters (longer ones are cut and marked); 0 keeps
 *     them whole
 * @param maxTokens {@code max_tokens} sent (Claude Code sends 64,000; a random-weight model would
 *     otherwise generate until its context is full); 0 keeps Claude Code's
 */
public record AgentReplayTrim(int systemChars, int agentListChars, int firstTools, int toolResultChars, int maxTokens) {

    public AgentReplayTrim {
        require(systemChars >= 0, "system-chars: " + systemChars + " (expected: 0 for all, or a positive count)");
        require(
                agentListChars >= 0,
                "agent-list-chars: " + agentListChars + " (expected: 0 for all, or a positive count)");
        require(
                toolResultChars == 0 || toolResultChars >= 40,
                "tool-result-chars: " + toolResultChars + " (expected: 0 for all, or at least 40)");
        require(maxTokens >= 0, "max-tokens: " + maxTokens + " (expected: 0 for Claude Code's, or a positive count)");
    }

    /**
     * The CI size: a ~10,000-token first prompt on a byte-vocabulary model (main prompt cut to 3,000
     * characters, agent list to 1,000, of the tools only the ones the session calls: Bash, Edit, Read),
     * tool results up to 300 characters (in the full 77 KB request that share of the prompt would be a
     * ~2,200-character result), 8 output tokens.
     */
    public static AgentReplayTrim ci() {
        return new AgentReplayTrim(3000, 1000, 0, 300, 8);
    }

    /** Nothing trimmed: the bodies as Claude Code sent them (needs a model with a real tokenizer). */
    public static AgentReplayTrim none() {
        return new AgentReplayTrim(0, 0, -1, 0, 0);
    }

    /** One line saying what is kept, for benchmark output and logs. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "main prompt %s, agent list %s, tools %s, tool results %s, max_tokens %s",
                systemChars == 0 ? "whole" : "first " + systemChars + " chars",
                agentListChars == 0 ? "whole" : "first " + agentListChars + " chars",
                firstTools < 0 ? "all" : "first " + firstTools + " + the ones the session calls",
                toolResultChars == 0 ? "whole" : "at most " + toolResultChars + " chars",
                maxTokens == 0 ? "as sent (64000)" : String.valueOf(maxTokens));
    }

    static final String CUT_MARKER = "\n... [cut by the replay]";

    /** {@code text} cut to at most {@code limit} characters (0: no limit), ending with a marker when cut. */
    static String cap(String text, int limit) {
        if (limit == 0 || text.length() <= limit) {
            return text;
        }
        return text.substring(0, limit - CUT_MARKER.length()) + CUT_MARKER;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
