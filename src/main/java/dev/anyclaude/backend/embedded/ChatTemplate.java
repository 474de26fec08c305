package dev.anyclaude.backend.embedded;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chat template: turns (role, content) into the prompt text a model was trained on.
 *
 * <p>Either chatml, written here, or a template llama.cpp renders with {@code
 * llama_chat_apply_template}: the model's own template when llama.cpp recognizes it (b4916 matches
 * templates by their markers and renders them with built-in code, no Jinja), or one of its built-in
 * template names. What the prompt renderer needs beyond rendering is learned by rendering probes: the
 * text that ends a turn (a stop marker when the vocabulary lacks it as a token), and whether a system
 * turn in the middle of a conversation stays in place.
 */
abstract sealed class ChatTemplate {

    private static final Logger LOG = LoggerFactory.getLogger(ChatTemplate.class);

    /** One rendered turn: role is system, user or assistant. */
    record Turn(String role, String content) {}

    abstract String name();

    /** The prompt for {@code turns}, with the assistant's generation header when {@code header}. */
    abstract String render(List<Turn> turns, boolean header);

    /** Text that closes a turn, such as {@code <|im_end|>}; empty when there is none. */
    abstract String endOfTurn();

    /** Whether a system turn after the first renders where it stands. */
    abstract boolean systemInPlace();

    /** The template for a model: its own when llama.cpp knows it, else chatml. */
    static ChatTemplate forModel(LlamaApi api, String ggufTemplate) {
        if (ggufTemplate == null || ggufTemplate.isBlank()) {
            return new Chatml();
        }
        Native t = Native.probe(api, ggufTemplate, "gguf");
        if (t == null) {
            LOG.info("llama.cpp does not recognize the model's chat template; using chatml");
            return new Chatml();
        }
        return t;
    }

    /** A template by llama.cpp's built-in name (chatml, llama3, mistral-v7, ...), or null when unknown. */
    static ChatTemplate builtin(LlamaApi api, String name) {
        return Native.probe(api, name, name);
    }

    /** chatml: {@code <|im_start|>role\ncontent<|im_end|>\n} per turn. */
    static final class Chatml extends ChatTemplate {
        @Override
        String name() {
            return "chatml";
        }

        @Override
        String render(List<Turn> turns, boolean header) {
            StringBuilder sb = new StringBuilder();
            for (Turn t : turns) {
                sb.append("<|im_start|>").append(t.role()).append('\n').append(t.content()).append("<|im_end|>\n");
            }
            if (header) {
                sb.append("<|im_start|>assistant\n");
            }
            return sb.toString();
        }

        @Override
        String endOfTurn() {
            return "<|im_end|>";
        }

        @Override
        boolean systemInPlace() {
            return true;
        }
    }

    /** A template rendered by llama.cpp. */
    static final class Native extends ChatTemplate {
        private final LlamaApi api;
        private final String template;
        private final String name;
        private String endOfTurn = "";
        private boolean systemInPlace;

        private Native(LlamaApi api, String template, String name) {
            this.api = api;
            this.template = template;
            this.name = name;
        }

        static Native probe(LlamaApi api, String template, String name) {
            Native t = new Native(api, template, name);
            String plain = t.renderOrNull(List.of(new Turn("user", "Q\u2460")), true);
            if (plain == null) {
                return null;
            }
            String conv = t.renderOrNull(List.of(new Turn("user", "Q\u2460"), new Turn("assistant", "A\u2461")), false);
            if (conv != null) {
                int at = conv.lastIndexOf("A\u2461");
                t.endOfTurn = at < 0 ? "" : conv.substring(at + 2).strip();
            }
            String mid = t.renderOrNull(List.of(new Turn("system", "S\u2462"), new Turn("user", "Q\u2460"),
                    new Turn("system", "T\u2463"), new Turn("user", "R\u2464")), true);
            t.systemInPlace = mid != null && mid.indexOf("Q\u2460") >= 0
                    && mid.indexOf("Q\u2460") < mid.indexOf("T\u2463") && mid.indexOf("T\u2463") < mid.indexOf("R\u2464");
            return t;
        }

        @Override
        String name() {
            return name;
        }

        @Override
        String render(List<Turn> turns, boolean header) {
            String s = renderOrNull(turns, header);
            if (s == null) {
                throw new IllegalStateException("chat template " + name + " failed to render");
            }
            return s;
        }

        private String renderOrNull(List<Turn> turns, boolean header) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment tmpl = arena.allocateFrom(template);
                MemorySegment chat = arena.allocate(LlamaApi.CHAT_MESSAGE, Math.max(1, turns.size()));
                long chars = 0;
                for (int i = 0; i < turns.size(); i++) {
                    Turn t = turns.get(i);
                    // C strings end at NUL; a NUL inside content would silently cut it.
                    String content = t.content().replace('\0', '\uFFFD');
                    chat.setAtIndex(ADDRESS, 2L * i, arena.allocateFrom(t.role()));
                    chat.setAtIndex(ADDRESS, 2L * i + 1, arena.allocateFrom(content));
                    chars += content.length();
                }
                int len = (int) Math.min(Integer.MAX_VALUE - 8, chars * 4 + 4096L * (turns.size() + 1));
                MemorySegment buf = arena.allocate(len);
                int n = api.chatApplyTemplate(tmpl, chat, turns.size(), header, buf, len);
                if (n < 0) {
                    return null;
                }
                if (n > len) {
                    len = n;
                    buf = arena.allocate(len);
                    n = api.chatApplyTemplate(tmpl, chat, turns.size(), header, buf, len);
                }
                return new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            }
        }

        @Override
        String endOfTurn() {
            return endOfTurn;
        }

        @Override
        boolean systemInPlace() {
            return systemInPlace;
        }
    }
}
