package dev.anyclaude.translate;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-backend switches of the Anthropic → OpenAI chat request translation.
 *
 * @param foldInlineSystem fold mid-conversation {@code role: system} messages into the adjacent user turn
 *     as {@code <system-reminder>} text, for chat templates that reject late system messages
 * @param mergeConsecutiveRoles merge consecutive user (or assistant, or system) messages into one, for
 *     templates that require strict alternation
 * @param sendTopK send {@code top_k} (not part of the OpenAI API; llama.cpp, vLLM, SGLang, mlx accept it)
 * @param sendEnableThinking send {@code chat_template_kwargs.enable_thinking} from {@code thinking}
 *     (Qwen3-style templates on llama.cpp, vLLM, SGLang)
 * @param sendReasoningEffort send {@code reasoning_effort} (low / medium / high) from {@code
 *     output_config.effort} or the thinking budget (gpt-oss style models)
 * @param historyThinkingAsReasoningContent send earlier turns' thinking as the assistant message's
 *     {@code reasoning_content} (templates that render it); otherwise it is dropped
 * @param extra fields appended verbatim to every request body, in this map's order (llama.cpp {@code
 *     id_slot}, {@code cache_prompt}, ...); a key here replaces the translated field of the same name
 */
public record OpenAiDialect(
        boolean foldInlineSystem,
        boolean mergeConsecutiveRoles,
        boolean sendTopK,
        boolean sendEnableThinking,
        boolean sendReasoningEffort,
        boolean historyThinkingAsReasoningContent,
        Map<String, Object> extra) {

    private static final OpenAiDialect OPEN_AI = new OpenAiDialect(false, false, false, false, false, false, Map.of());

    /** A plain OpenAI-compatible server: nothing beyond the OpenAI API. */
    public static OpenAiDialect openAi() {
        return OPEN_AI;
    }

    /**
     * llama.cpp's server (with {@code --jinja}): top_k, chat_template_kwargs (enable_thinking), reasoning_effort
     * (into the template's kwargs: gpt-oss's "Reasoning: high"), reasoning_content, cache_prompt.
     */
    public static OpenAiDialect llamaCpp() {
        return openAi().withSendTopK(true)
                .withSendEnableThinking(true)
                .withSendReasoningEffort(true)
                .withHistoryThinkingAsReasoningContent(true)
                .withExtra(Map.of("cache_prompt", true));
    }

    /** vLLM and SGLang: top_k, chat_template_kwargs (enable_thinking), reasoning_effort (gpt-oss). */
    public static OpenAiDialect vllm() {
        return openAi().withSendTopK(true).withSendEnableThinking(true).withSendReasoningEffort(true);
    }

    /** mlx_lm.server: top_k; it has no thinking or effort controls. */
    public static OpenAiDialect mlx() {
        return openAi().withSendTopK(true);
    }

    /** {@link #llamaCpp()}, as the constant the embedded backend's chat format still reads. */
    public static final OpenAiDialect LLAMA_CPP = llamaCpp();

    public OpenAiDialect {
        extra = extra == null || extra.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** This dialect with {@code more} fields appended after (or replacing) the current extras. */
    public OpenAiDialect withExtra(Map<String, Object> more) {
        Map<String, Object> all = new LinkedHashMap<>(extra);
        all.putAll(more);
        return new OpenAiDialect(
                foldInlineSystem,
                mergeConsecutiveRoles,
                sendTopK,
                sendEnableThinking,
                sendReasoningEffort,
                historyThinkingAsReasoningContent,
                all);
    }

    public OpenAiDialect withFoldInlineSystem(boolean b) {
        return new OpenAiDialect(
                b,
                mergeConsecutiveRoles,
                sendTopK,
                sendEnableThinking,
                sendReasoningEffort,
                historyThinkingAsReasoningContent,
                extra);
    }

    public OpenAiDialect withMergeConsecutiveRoles(boolean b) {
        return new OpenAiDialect(
                foldInlineSystem,
                b,
                sendTopK,
                sendEnableThinking,
                sendReasoningEffort,
                historyThinkingAsReasoningContent,
                extra);
    }

    public OpenAiDialect withSendTopK(boolean b) {
        return new OpenAiDialect(
                foldInlineSystem,
                mergeConsecutiveRoles,
                b,
                sendEnableThinking,
                sendReasoningEffort,
                historyThinkingAsReasoningContent,
                extra);
    }

    public OpenAiDialect withSendEnableThinking(boolean b) {
        return new OpenAiDialect(
                foldInlineSystem,
                mergeConsecutiveRoles,
                sendTopK,
                b,
                sendReasoningEffort,
                historyThinkingAsReasoningContent,
                extra);
    }

    public OpenAiDialect withSendReasoningEffort(boolean b) {
        return new OpenAiDialect(
                foldInlineSystem,
                mergeConsecutiveRoles,
                sendTopK,
                sendEnableThinking,
                b,
                historyThinkingAsReasoningContent,
                extra);
    }

    public OpenAiDialect withHistoryThinkingAsReasoningContent(boolean b) {
        return new OpenAiDialect(
                foldInlineSystem, mergeConsecutiveRoles, sendTopK, sendEnableThinking, sendReasoningEffort, b, extra);
    }
}
