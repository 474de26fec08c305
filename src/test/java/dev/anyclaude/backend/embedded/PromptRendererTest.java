package dev.anyclaude.backend.embedded;

import static dev.anyclaude.backend.embedded.Requests.assistant;
import static dev.anyclaude.backend.embedded.Requests.request;
import static dev.anyclaude.backend.embedded.Requests.system;
import static dev.anyclaude.backend.embedded.Requests.tool;
import static dev.anyclaude.backend.embedded.Requests.user;
import static dev.anyclaude.backend.embedded.Requests.withTools;
import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.api.ContentBlock;
import dev.anyclaude.api.Message;
import dev.anyclaude.api.MessagesRequest;
import dev.anyclaude.api.Role;
import dev.anyclaude.api.ToolChoice;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptRendererTest {

    final PromptRenderer chatml = new PromptRenderer(new ChatTemplate.Chatml());

    @Test
    void rendersAToolConversationInQwenHermesStyle() {
        MessagesRequest r = withTools(request("Be brief.", List.of(
                user("List files."),
                new Message(Role.ASSISTANT, List.of(
                        new ContentBlock.Thinking("Use Bash.", "s"),
                        new ContentBlock.Text("Listing."),
                        new ContentBlock.ToolUse("toolu_1", "Bash", "{\"command\":\"ls\"}"))),
                new Message(Role.USER, List.of(
                        new ContentBlock.ToolResult("toolu_1", List.of(new ContentBlock.Text("a.txt")), false),
                        new ContentBlock.Text("Thanks."))))), List.of(tool("Bash")), null);

        PromptRenderer.Prompt p = chatml.render(r);

        assertThat(p.text()).isEqualTo("""
                <|im_start|>system
                Be brief.

                # Tools

                You may call one or more functions to assist with the user query.

                You are provided with function signatures within <tools></tools> XML tags:
                <tools>
                {"type": "function", "function": {"name": "Bash", "description": "Runs Bash", "parameters": \
                {"type":"object","properties":{"command":{"type":"string"}}}}}
                </tools>

                For each function call, return a json object with function name and arguments within \
                <tool_call></tool_call> XML tags:
                <tool_call>
                {"name": <function-name>, "arguments": <args-json-object>}
                </tool_call><|im_end|>
                <|im_start|>user
                List files.<|im_end|>
                <|im_start|>assistant
                <think>
                Use Bash.
                </think>

                Listing.
                <tool_call>
                {"name": "Bash", "arguments": {"command":"ls"}}
                </tool_call><|im_end|>
                <|im_start|>user
                <tool_response>
                a.txt
                </tool_response>
                Thanks.<|im_end|>
                <|im_start|>assistant
                """);
        assertThat(p.toolMode()).isEqualTo(PromptRenderer.ToolMode.AUTO);
        assertThat(p.forcedPrefix()).isEmpty();
    }

    @Test
    void keepsAMidConversationSystemMessageInPlace() {
        MessagesRequest r = request(null, List.of(user("a"), system("reminder"), user("b")));
        assertThat(chatml.render(r).text()).isEqualTo("<|im_start|>user\na<|im_end|>\n<|im_start|>system\nreminder<|im_end|>\n"
                + "<|im_start|>user\nb<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void foldsAMidConversationSystemMessageForTemplatesThatWouldMoveIt() {
        ChatTemplate gigachat = ChatTemplate.builtin(LlamaApi.get(null), "gigachat");
        assertThat(gigachat.systemInPlace()).isFalse();
        String text = new PromptRenderer(gigachat).render(request(null, List.of(user("a"), system("reminder"), user("b")))).text();
        assertThat(text).contains("<system-reminder>\nreminder\n</system-reminder>");
        assertThat(text.indexOf("a")).isLessThan(text.indexOf("reminder"));
        assertThat(text.indexOf("reminder")).isLessThan(text.lastIndexOf("b"));
    }

    @Test
    void continuesAFinalAssistantMessageAsAPrefill() {
        MessagesRequest r = request(null, List.of(user("Count:"), assistant("1, 2,")));
        assertThat(chatml.render(r).text()).isEqualTo("<|im_start|>user\nCount:<|im_end|>\n<|im_start|>assistant\n1, 2,");
    }

    @Test
    void opensTheToolCallWhenAToolIsRequired() {
        MessagesRequest base = withTools(request(null, List.of(user("go"))), List.of(tool("Bash")), null);
        PromptRenderer.Prompt any = chatml.render(withTools(base, base.tools(), new ToolChoice("any", null, false)));
        assertThat(any.text()).endsWith("<|im_start|>assistant\n<tool_call>\n");
        assertThat(any.toolMode()).isEqualTo(PromptRenderer.ToolMode.FORCED);

        PromptRenderer.Prompt named = chatml.render(withTools(base, base.tools(), new ToolChoice("tool", "Bash", true)));
        assertThat(named.text()).endsWith("<|im_start|>assistant\n<tool_call>\n{\"name\": \"Bash\", \"arguments\": ");
        assertThat(named.singleToolCall()).isTrue();

        PromptRenderer.Prompt none = chatml.render(withTools(base, base.tools(), new ToolChoice("none", null, false)));
        assertThat(none.toolMode()).isEqualTo(PromptRenderer.ToolMode.NONE);
        assertThat(none.text()).as("tools stay in the prompt so its prefix does not change").contains("<tools>");
    }

    @Test
    void leavesServerToolsOutOfThePrompt() {
        MessagesRequest r = withTools(request(null, List.of(user("go"))),
                List.of(new dev.anyclaude.api.Tool("web_search", null, null, "web_search_20250305")), null);
        PromptRenderer.Prompt p = chatml.render(r);
        assertThat(p.text()).doesNotContain("web_search").doesNotContain("<tools>");
        assertThat(p.toolMode()).isEqualTo(PromptRenderer.ToolMode.NONE);
    }

    @Test
    void usesTheModelsTemplateWhenLlamaCppKnowsItAndChatmlOtherwise() {
        LlamaApi api = LlamaApi.get(null);
        assertThat(ChatTemplate.forModel(api, null).name()).isEqualTo("chatml");
        assertThat(ChatTemplate.forModel(api, "{{ something llama.cpp cannot match }}").name()).isEqualTo("chatml");
        ChatTemplate llama3 = ChatTemplate.forModel(api,
                "{% for m in messages %}<|start_header_id|>{{ m.role }}<|end_header_id|>\n\n{{ m.content }}<|eot_id|>{% endfor %}");
        assertThat(llama3.name()).isEqualTo("gguf");
        assertThat(llama3.endOfTurn()).isEqualTo("<|eot_id|>");
        assertThat(new PromptRenderer(llama3).render(request("S", List.of(user("U")))).text())
                .isEqualTo("<|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU"
                        + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
    }
}
