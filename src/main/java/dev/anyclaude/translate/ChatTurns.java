package dev.anyclaude.translate;

import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The OpenAI chat messages of an Anthropic conversation, before JSON: a leading system message, then
 * each Anthropic message at its own position. Nothing is ever moved ahead of earlier content, so a
 * conversation that grows by a turn renders as an extension of its previous rendering and the
 * backend's prefix cache keeps hitting.
 *
 * <p>Folding an inline system message ({@link OpenAiDialect#foldInlineSystem}) appends it as {@code
 * <system-reminder>} text to the user turn right before it (Claude Code sends it right after the user
 * turn it belongs to); when the message before it is not a user turn, it opens the next user turn
 * instead (after that turn's tool results), never reaching back across an assistant reply, which would
 * rewrite a turn the backend has already cached.
 */
final class ChatTurns {

    /** A content part of a user or system message. */
    sealed interface Part {}

    record TextPart(String text) implements Part {}

    record ImagePart(String url) implements Part {}

    /** One OpenAI chat message. */
    static final class Turn {
        final String role;
        final List<Part> parts = new ArrayList<>(2);
        final List<ContentBlock.ToolUse> toolCalls = new ArrayList<>(0);
        final StringBuilder reasoning = new StringBuilder();

        @Nullable
        String toolCallId;

        Turn(String role) {
            this.role = role;
        }

        static Turn text(String role, String text) {
            Turn t = new Turn(role);
            t.parts.add(new TextPart(text));
            return t;
        }

        boolean onlyText() {
            for (Part p : parts) {
                if (!(p instanceof TextPart)) {
                    return false;
                }
            }
            return true;
        }
    }

    private ChatTurns() {}

    static List<Turn> of(MessagesRequest req, OpenAiDialect d) {
        List<Turn> out = new ArrayList<>(req.messages().size() + 4);
        String system = ContentBlock.joinText(req.system());
        if (!system.isEmpty()) {
            out.add(Turn.text("system", system));
        }
        List<String> pendingReminders = new ArrayList<>(0);
        for (Message m : req.messages()) {
            switch (m.role()) {
                case SYSTEM -> {
                    String text = ContentBlock.joinText(m.content());
                    if (!d.foldInlineSystem()) {
                        out.add(Turn.text("system", text));
                    } else {
                        String reminder = "<system-reminder>\n" + text + "\n</system-reminder>";
                        Turn prev = out.isEmpty() ? null : out.getLast();
                        if (prev != null && prev.role.equals("user") && pendingReminders.isEmpty()) {
                            prev.parts.add(new TextPart(reminder)); // the turn it arrived with
                        } else {
                            pendingReminders.add(reminder); // the next user turn takes it
                        }
                    }
                }
                case USER -> user(m, out, pendingReminders);
                case ASSISTANT -> {
                    flushReminders(out, pendingReminders);
                    out.add(assistant(m, d));
                }
            }
        }
        flushReminders(out, pendingReminders);
        return d.mergeConsecutiveRoles() ? merge(out) : out;
    }

    private static void flushReminders(List<Turn> out, List<String> reminders) {
        if (!reminders.isEmpty()) {
            Turn t = new Turn("user");
            reminders.forEach(r -> t.parts.add(new TextPart(r)));
            reminders.clear();
            out.add(t);
        }
    }

    /**
     * Tool results become tool messages right after the assistant's calls; everything else of the turn
     * (images returned by tools first) follows in one user message.
     */
    private static void user(Message m, List<Turn> out, List<String> reminders) {
        Turn user = new Turn("user");
        boolean anyToolResult = false;
        for (ContentBlock b : m.content()) {
            if (b instanceof ContentBlock.ToolResult r) {
                anyToolResult = true;
                Turn tool = Turn.text("tool", toolText(r));
                tool.toolCallId = r.toolUseId();
                out.add(tool);
                boolean labelled = false;
                for (ContentBlock c : r.content()) {
                    if (c instanceof ContentBlock.Image img) {
                        if (!labelled) {
                            user.parts.add(new TextPart("[images returned by tool call " + r.toolUseId() + "]"));
                            labelled = true;
                        }
                        user.parts.add(new ImagePart(imageUrl(img)));
                    }
                }
            }
        }
        reminders.forEach(r -> user.parts.add(new TextPart(r)));
        reminders.clear();
        for (ContentBlock b : m.content()) {
            switch (b) {
                case ContentBlock.Text t -> user.parts.add(new TextPart(t.text()));
                case ContentBlock.Image i -> user.parts.add(new ImagePart(imageUrl(i)));
                case ContentBlock.Document doc -> user.parts.add(new TextPart(documentText(doc)));
                default -> {} // tool results above; the parser admits nothing else in a user turn
            }
        }
        if (!user.parts.isEmpty() || !anyToolResult) {
            if (user.parts.isEmpty()) {
                user.parts.add(new TextPart(""));
            }
            out.add(user);
        }
    }

    private static Turn assistant(Message m, OpenAiDialect d) {
        Turn a = new Turn("assistant");
        for (ContentBlock b : m.content()) {
            switch (b) {
                case ContentBlock.Text t -> a.parts.add(new TextPart(t.text()));
                case ContentBlock.ToolUse u -> a.toolCalls.add(u);
                case ContentBlock.Thinking t -> {
                    if (d.historyThinkingAsReasoningContent()) {
                        appendJoined(a.reasoning, t.thinking());
                    }
                }
                default -> {} // redacted thinking is opaque to any other model
            }
        }
        return a;
    }

    /** Consecutive user, assistant or system messages merged into one; tool messages stay apart. */
    private static List<Turn> merge(List<Turn> turns) {
        List<Turn> out = new ArrayList<>(turns.size());
        for (Turn t : turns) {
            Turn prev = out.isEmpty() ? null : out.getLast();
            if (prev != null && prev.role.equals(t.role) && !t.role.equals("tool")) {
                prev.parts.addAll(t.parts);
                prev.toolCalls.addAll(t.toolCalls);
                appendJoined(prev.reasoning, t.reasoning.toString());
            } else {
                out.add(t);
            }
        }
        return out;
    }

    static String toolText(ContentBlock.ToolResult r) {
        StringBuilder sb = new StringBuilder();
        for (ContentBlock c : r.content()) {
            switch (c) {
                case ContentBlock.Text t -> appendJoined(sb, t.text());
                case ContentBlock.Document doc -> appendJoined(sb, documentText(doc));
                default -> {} // images travel in the following user message
            }
        }
        return r.isError() ? "Error: " + sb : sb.toString();
    }

    static String imageUrl(ContentBlock.Image i) {
        return i.url() != null ? i.url() : "data:" + i.mediaType() + ";base64," + i.data();
    }

    static String documentText(ContentBlock.Document d) {
        if (d.text() == null) {
            return "[document omitted: " + (d.mediaType() == null ? "unknown type" : d.mediaType()) + "]";
        }
        String open = d.title() == null
                ? "<document>"
                : "<document title=\"" + d.title().replace("\"", "&quot;") + "\">";
        return open + "\n" + d.text() + "\n</document>";
    }

    /**
     * Appends {@code next} as a new paragraph: separated by a blank line unless the text so far already
     * ends in one (Claude Code's first block ends in "\n\n" and must not grow a third newline).
     */
    static void appendJoined(StringBuilder sb, String next) {
        if (next.isEmpty()) {
            return;
        }
        if (!sb.isEmpty()) {
            int n = sb.length();
            boolean nl1 = sb.charAt(n - 1) == '\n';
            boolean nl2 = nl1 && n > 1 && sb.charAt(n - 2) == '\n';
            sb.append(nl2 ? "" : nl1 ? "\n" : "\n\n");
        }
        sb.append(next);
    }
}
