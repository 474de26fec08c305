package dev.anyclaude.template;

/**
 * The model's special tokens as a chat template sees them ({@code bos_token}, {@code eos_token}), and whether its
 * tokenizer adds them itself: then llama.cpp drops a BOS the template wrote at the start (an EOS at the end).
 */
public record TemplateTokens(String bos, String eos, boolean addBos, boolean addEos) {
    public TemplateTokens {
        bos = bos == null ? "" : bos;
        eos = eos == null ? "" : eos;
    }

    /** Tokens the tokenizer does not add on its own. */
    public static TemplateTokens of(String bos, String eos) {
        return new TemplateTokens(bos, eos, false, false);
    }

    String trim(String prompt) {
        String out = prompt;
        if (addBos && !bos.isEmpty() && out.startsWith(bos)) {
            out = out.substring(bos.length());
        }
        if (addEos && !eos.isEmpty() && out.endsWith(eos)) {
            out = out.substring(0, out.length() - eos.length());
        }
        return out;
    }
}
