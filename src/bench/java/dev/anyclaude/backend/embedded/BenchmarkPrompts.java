package dev.anyclaude.backend.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Claude-Code-shaped requests: a main agent (system prompt and tools as Claude Code sends them) and
 * a sub-agent with another system prompt and tool set, each about {@code prefixTokens} long before
 * its last user message. Taken from a recorded Claude Code body when one is given, else generated.
 */
final class BenchmarkPrompts {
    final EmbeddedBackend backend;
    private final EmbeddedBenchmark.Options options;
    final List<ContentBlock.Text> systemA;
    final List<ContentBlock.Text> systemB;
    final List<Tool> toolsA = new ArrayList<>();
    final List<Tool> toolsB = new ArrayList<>();
    final String reminder;
    final String source;
    long prefixA;
    long prefixB;

    BenchmarkPrompts(EmbeddedBackend backend, ObjectMapper json, EmbeddedBenchmark.Options options) throws IOException {
        this.backend = backend;
        this.options = options;
        List<Tool> pool = new ArrayList<>();
        if (Files.isRegularFile(options.fixture())) {
            JsonNode body = json.readTree(options.fixture().toFile());
            List<String> system = new ArrayList<>();
            for (JsonNode s : body.path("system")) {
                String text = s.path("text").asText();
                if (!text.startsWith("x-anthropic-billing-header")) {
                    system.add(text);
                }
            }
            for (JsonNode t : body.path("tools")) {
                pool.add(new Tool(
                        t.path("name").asText(),
                        t.path("description").asText(null),
                        json.writeValueAsString(t.path("input_schema")),
                        null));
            }
            String midSystem = "";
            String firstUser = "";
            for (JsonNode m : body.path("messages")) {
                if (m.path("role").asText().equals("system") && midSystem.isEmpty()) {
                    midSystem = m.path("content").asText();
                }
                if (m.path("role").asText().equals("user") && firstUser.isEmpty()) {
                    firstUser = m.path("content").path(0).path("text").asText();
                }
            }
            systemA = List.of(
                    new ContentBlock.Text(system.get(0)),
                    new ContentBlock.Text(String.join("\n", system.subList(1, system.size()))));
            systemB = List.of(new ContentBlock.Text(system.get(0)), new ContentBlock.Text(midSystem));
            reminder = firstUser;
            source = "Claude Code 2.1.197 request body " + options.fixture().getFileName();
        } else {
            // Shaped like Claude Code's: two thirds system prompt, one third tool schemas.
            Random r = new Random(5);
            int n = options.prefixTokens();
            systemA = List.of(
                    new ContentBlock.Text("You are an agent for software engineering tasks."),
                    new ContentBlock.Text(words(r, n * 2 / 3)));
            systemB = List.of(
                    new ContentBlock.Text("You are an agent for software engineering tasks."),
                    new ContentBlock.Text(words(r, n * 2 / 3)));
            for (int i = 0; i < 24; i++) {
                pool.add(new Tool(
                        "Tool" + i,
                        words(r, n / 20),
                        "{\"type\":\"object\",\"properties\":{\"arg\":{\"type\":\"string\",\"description\":\""
                                + words(r, n / 60) + "\"}},\"required\":[\"arg\"]}",
                        null));
            }
            reminder = "<system-reminder>\n" + words(r, Math.min(300, n / 20)) + "\n</system-reminder>\n\n";
            source = "synthetic (no fixture at " + options.fixture() + ")";
        }
        pool.removeIf(t -> t.inputSchemaJson().length()
                        + (t.description() == null ? 0 : t.description().length())
                > 5000);
        prefixA = fill(systemA, toolsA, pool, false);
        prefixB = fill(systemB, toolsB, pool, true);
    }

    private long fill(List<ContentBlock.Text> system, List<Tool> tools, List<Tool> pool, boolean reverse) {
        for (int i = 0; i < pool.size(); i++) {
            long n = count(system, tools);
            if (n >= options.prefixTokens() - 300) {
                return n;
            }
            tools.add(pool.get(reverse ? pool.size() - 1 - i : i));
        }
        return count(system, tools);
    }

    private long count(List<ContentBlock.Text> system, List<Tool> tools) {
        return backend.countTokens(new BackendRequest(request(system, tools, List.of(), ""), null, "count"))
                .tokens();
    }

    MessagesRequest a(List<Message> history, String question) {
        return request(systemA, toolsA, history, question);
    }

    MessagesRequest b(List<Message> history, String question) {
        return request(systemB, toolsB, history, question);
    }

    private MessagesRequest request(
            List<ContentBlock.Text> system, List<Tool> tools, List<Message> history, String question) {
        List<Message> messages = new ArrayList<>();
        if (history.isEmpty()) {
            messages.add(
                    new Message(Role.USER, List.of(new ContentBlock.Text(reminder), new ContentBlock.Text(question))));
        } else {
            messages.addAll(history);
            messages.add(new Message(Role.USER, List.of(new ContentBlock.Text(question))));
        }
        return new MessagesRequest(
                "bench",
                options.outputTokens(),
                system,
                messages,
                tools,
                null,
                0.0,
                null,
                null,
                null,
                null,
                null,
                null,
                true);
    }

    String render(MessagesRequest r) {
        return backend.format().render(r).text();
    }

    /** A question of exactly {@code suffixTokens} characters (one token each in a byte vocabulary). */
    String suffix(int seed) {
        String s = "Question " + seed + ": " + words(new Random(seed), options.suffixTokens());
        return s.substring(0, options.suffixTokens());
    }

    private static final String[] WORDS = ("the file tool call read write edit search run test build commit branch diff"
                    + " function class method return value error message user agent "
                    + "context token cache prefix model server"
                    + " request response stream event block text json schema parameter option default path directory")
            .split(" ");

    private static String words(Random r, int chars) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < chars) {
            sb.append(WORDS[r.nextInt(WORDS.length)]).append(r.nextInt(12) == 0 ? ".\n" : " ");
        }
        return sb.substring(0, chars);
    }
}
