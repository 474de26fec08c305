package dev.anyclaude.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The variables Claude Code gets, derived from the gateway and the backend's context. */
class ClaudeEnvironmentTest {

    @Test
    void pointsEveryModelSlotAtTheBackendAndSizesTheContextFromIt() {
        ClaudeEnvironment e = ClaudeEnvironment.of(
                "http://127.0.0.1:40001",
                "anyclaude-local",
                "qwen3-coder",
                "qwen3-small",
                131_072,
                Duration.ofSeconds(600));

        assertThat(e.variables())
                .containsExactly(
                        Map.entry("ANTHROPIC_BASE_URL", "http://127.0.0.1:40001"),
                        Map.entry("ANTHROPIC_AUTH_TOKEN", "anyclaude-local"),
                        Map.entry("ANTHROPIC_MODEL", "qwen3-coder"),
                        Map.entry("ANTHROPIC_DEFAULT_OPUS_MODEL", "qwen3-coder"),
                        Map.entry("ANTHROPIC_DEFAULT_SONNET_MODEL", "qwen3-coder"),
                        Map.entry("ANTHROPIC_DEFAULT_HAIKU_MODEL", "qwen3-small"),
                        Map.entry("ANTHROPIC_SMALL_FAST_MODEL", "qwen3-small"),
                        Map.entry("CLAUDE_CODE_ATTRIBUTION_HEADER", "0"),
                        Map.entry("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"),
                        Map.entry("CLAUDE_CODE_MAX_CONTEXT_TOKENS", "131072"),
                        Map.entry("CLAUDE_CODE_MAX_OUTPUT_TOKENS", "16384"),
                        Map.entry("ENABLE_TOOL_SEARCH", "false"),
                        Map.entry("API_TIMEOUT_MS", "660000"));
        assertThat(e.variables()).doesNotContainKey("DISABLE_PROMPT_CACHING");
    }

    @Test
    void anUnknownContextLeavesClaudeCodesOwnDefaults() {
        ClaudeEnvironment e = ClaudeEnvironment.of("http://127.0.0.1:1", "k", null, null, 0, Duration.ofSeconds(30));

        assertThat(e.variables())
                .doesNotContainKeys("CLAUDE_CODE_MAX_CONTEXT_TOKENS", "CLAUDE_CODE_MAX_OUTPUT_TOKENS")
                .containsEntry("ANTHROPIC_MODEL", "local")
                .containsEntry("ANTHROPIC_SMALL_FAST_MODEL", "local")
                .containsEntry("API_TIMEOUT_MS", "600000");
    }

    @Test
    void theChildEnvironmentDropsWhatWouldSendClaudeCodeElsewhere() {
        ClaudeEnvironment e = ClaudeEnvironment.of("http://127.0.0.1:2", "k", "m", null, 0, Duration.ofSeconds(30));
        Map<String, String> inherited = Map.of(
                "PATH",
                "/usr/bin",
                "ANTHROPIC_BASE_URL",
                "https://elsewhere.example",
                "ANTHROPIC_API_KEY",
                "sk-ant-real",
                "CLAUDE_CODE_USE_BEDROCK",
                "1",
                "DISABLE_PROMPT_CACHING",
                "1");

        Map<String, String> child = e.applyTo(inherited);

        assertThat(child)
                .containsEntry("PATH", "/usr/bin")
                .containsEntry("ANTHROPIC_BASE_URL", "http://127.0.0.1:2")
                .containsEntry("DISABLE_PROMPT_CACHING", "1") // the user's own choice stays
                .containsEntry("ANTHROPIC_AUTH_TOKEN", "k")
                .doesNotContainKeys("ANTHROPIC_API_KEY", "CLAUDE_CODE_USE_BEDROCK");
    }

    @Test
    void toolSearchIsOffUnlessTheUserAskedForIt() {
        ClaudeEnvironment e = ClaudeEnvironment.of("http://127.0.0.1:2", "k", "m", null, 0, Duration.ofSeconds(30));

        assertThat(e.applyTo(Map.of())).containsEntry("ENABLE_TOOL_SEARCH", "false");
        assertThat(e.applyTo(Map.of("ENABLE_TOOL_SEARCH", "true"))).containsEntry("ENABLE_TOOL_SEARCH", "true");
        assertThat(e.shell(Map.of())).contains("export ENABLE_TOOL_SEARCH=false\n");
        assertThat(e.shell(Map.of("ENABLE_TOOL_SEARCH", "auto"))).doesNotContain("ENABLE_TOOL_SEARCH");
    }

    @Test
    void shellLinesUnsetConflictsAndQuoteValues() {
        ClaudeEnvironment e = new ClaudeEnvironment(Map.of("ANTHROPIC_MODEL", "my model's name"));

        assertThat(e.shell(Map.of("ANTHROPIC_API_KEY", "x", "HOME", "/root")))
                .isEqualTo("unset ANTHROPIC_API_KEY\nexport ANTHROPIC_MODEL='my model'\"'\"'s name'\n");
        assertThat(e.shell(Map.of())).isEqualTo("export ANTHROPIC_MODEL='my model'\"'\"'s name'\n");
    }

    @Test
    void warnsOnlyAboutContextsTooSmallForClaudeCode() {
        assertThat(ClaudeEnvironment.contextWarning(16_384))
                .contains("16384 tokens")
                .contains("--ctx");
        assertThat(ClaudeEnvironment.contextWarning(65_536)).isNull();
        assertThat(ClaudeEnvironment.contextWarning(0)).isNull();
    }
}
