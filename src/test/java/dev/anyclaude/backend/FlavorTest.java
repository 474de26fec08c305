package dev.anyclaude.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.translate.OpenAiDialect;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What each server flavor can do, read from the one enum that says it. */
class FlavorTest {

    @Test
    void eachFlavorSendsTheRequestSwitchesItsServerUnderstands() {
        OpenAiDialect plain = new OpenAiDialect(false, false, false, false, false, false, Map.of());
        assertThat(Flavor.LLAMACPP.dialect())
                .isEqualTo(new OpenAiDialect(false, false, true, true, true, true, Map.of("cache_prompt", true)));
        assertThat(Flavor.VLLM.dialect()).isEqualTo(new OpenAiDialect(false, false, true, true, true, false, Map.of()));
        assertThat(Flavor.SGLANG.dialect()).isEqualTo(Flavor.VLLM.dialect());
        assertThat(Flavor.MLX.dialect())
                .isEqualTo(new OpenAiDialect(false, false, true, false, false, false, Map.of()));
        for (Flavor f : new Flavor[] {Flavor.AUTO, Flavor.OLLAMA, Flavor.LMSTUDIO, Flavor.GENERIC}) {
            assertThat(f.dialect()).as(f.label()).isEqualTo(plain);
        }
    }

    @Test
    void onlyLlamaCppAndTheTokenizeServersCountTokensExactly() {
        assertThat(Flavor.LLAMACPP.tokenCounting()).isEqualTo(Flavor.TokenCounting.APPLY_TEMPLATE_THEN_TOKENIZE);
        assertThat(Flavor.VLLM.tokenCounting()).isEqualTo(Flavor.TokenCounting.TOKENIZE_CHAT);
        assertThat(Flavor.SGLANG.tokenCounting()).isEqualTo(Flavor.TokenCounting.TOKENIZE_CHAT);
        for (Flavor f : new Flavor[] {Flavor.AUTO, Flavor.MLX, Flavor.OLLAMA, Flavor.LMSTUDIO, Flavor.GENERIC}) {
            assertThat(f.tokenCounting()).as(f.label()).isEqualTo(Flavor.TokenCounting.ESTIMATE);
        }
    }

    @Test
    void aModelsOwnerNamesItsServerAndPropsNamesLlamaCpp() {
        assertThat(Flavor.ownedBy("vllm")).isEqualTo(Flavor.VLLM);
        assertThat(Flavor.ownedBy("sglang")).isEqualTo(Flavor.SGLANG);
        assertThat(Flavor.ownedBy("llamacpp")).isEqualTo(Flavor.LLAMACPP);
        assertThat(Flavor.ownedBy("library")).isEqualTo(Flavor.OLLAMA);
        assertThat(Flavor.ownedBy("ollama")).isEqualTo(Flavor.OLLAMA);
        assertThat(Flavor.ownedBy("organization-owner")).isEqualTo(Flavor.GENERIC);
        assertThat(Flavor.ownedBy("")).isEqualTo(Flavor.GENERIC);
        assertThat(Flavor.answeringProps()).isEqualTo(Flavor.LLAMACPP);
    }

    @Test
    void flavorsParseLooselyAndNameTheChoicesWhenWrong() {
        assertThat(Flavor.parse(" llama.cpp ")).isEqualTo(Flavor.LLAMACPP);
        assertThat(Flavor.parse("LM-Studio")).isEqualTo(Flavor.LMSTUDIO);
        assertThat(Flavor.parse("sg_lang")).isEqualTo(Flavor.SGLANG);
        assertThatThrownBy(() -> Flavor.parse("tgi"))
                .hasMessage("flavor: tgi (expected: auto, llamacpp, mlx, vllm, sglang, ollama, lmstudio or generic)");
    }

    @Test
    void launchableServersSayHowTheyAreStartedAndCheckedHealthy() {
        assertThat(Flavor.LLAMACPP.launch())
                .isEqualTo(new Flavor.Launch(
                        "llama-server",
                        "llama-server",
                        "/health",
                        List.of("llama-server", "llama.cpp", "llamacpp", "llama-cpp", "llama")));
        assertThat(Flavor.MLX.launch().executable()).isEqualTo("mlx_lm.server");
        assertThat(Flavor.OLLAMA.launch().healthPath()).isEqualTo("/api/version");
        assertThat(Flavor.parseLaunch("vllm")).isEqualTo(Flavor.VLLM);
        assertThat(Flavor.SGLANG.launch()).isNull();
        assertThat(Flavor.GENERIC.launch()).isNull();
    }
}
