package dev.anyclaude.safeguard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.StatsSection;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.ToolCallJudge;
import dev.anyclaude.time.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Auto mode's safeguards, answered locally. Claude Code 2.1.278+ in {@code --permission-mode auto} sends {@code
 * safeguards: [{type: "dangerous_tool_use", classifier_context: {...}}]} and expects, in the final {@code
 * message_delta}'s {@code delta} (top level in a whole message), a verdict for each tool call of the answer:
 *
 * <pre>{@code
 * "safeguard_results": [{"type": "dangerous_tool_use", "status": {"type": "available", "tool_uses": {
 *     "toolu_…": {"type": "evaluated", "outcome": "not_flagged" | "flagged", "explanation": "…"}}}}]
 * }</pre>
 *
 * <p>Without it Claude Code stops trusting the endpoint for the session and runs its own classifier requests
 * through the gateway (and names the gateway as incompatible). Here each call is judged by {@link LocalClassifier}
 * on the user's own backend, all calls of an answer at once, within {@code timeout}. <b>Failing closed</b>: a call
 * whose verdict cannot be produced — the model failed, answered something that is not a verdict, or ran out of
 * time — is {@code flagged}, with the reason in its explanation, so it never runs unchecked. An answer without tool
 * calls gets {@code available} with no entries.
 */
public final class Safeguards implements ToolCallJudge {
    private static final Logger log = LoggerFactory.getLogger(Safeguards.class);
    private static final String DANGEROUS_TOOL_USE = "dangerous_tool_use";

    private final LocalClassifier classifier;
    private final Duration timeout;
    private final ObjectMapper json;
    private final Clock clock;
    private final ExecutorService judges = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong answers = new AtomicLong();
    private final AtomicLong allowed = new AtomicLong();
    private final AtomicLong flagged = new AtomicLong();
    private final AtomicLong unjudged = new AtomicLong();

    /** @param clock measures the {@code timeout} the verdicts on one answer's tool calls are waited for */
    public Safeguards(
            dev.anyclaude.backend.Backend backend, String model, Duration timeout, ObjectMapper json, Clock clock) {
        this.classifier = new LocalClassifier(backend, model, json);
        this.timeout = timeout;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public EventSink wrap(MessagesRequest request, String requestId, EventSink client) {
        JsonNode context = dangerousToolUse(request.safeguardsJson());
        return context == null ? client : new Judging(request, requestId, context, client);
    }

    /** The {@code classifier_context} of the {@code dangerous_tool_use} safeguard, or null when none is asked. */
    private JsonNode dangerousToolUse(String safeguardsJson) {
        if (safeguardsJson == null) {
            return null;
        }
        try {
            for (JsonNode s : json.readTree(safeguardsJson)) {
                if (DANGEROUS_TOOL_USE.equals(s.path("type").asText())) {
                    return s.path("classifier_context").isObject()
                            ? s.get("classifier_context")
                            : json.createObjectNode();
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the parser checked it is a JSON array
        }
    }

    /** {@code /cache/stats} → {@code safeguards}: answers given and verdicts by kind. */
    public StatsSection stats() {
        return StatsSection.of(
                "safeguards",
                () -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("classifier_model", classifier.model());
                    out.put("answers", answers.get());
                    out.put("not_flagged", allowed.get());
                    out.put("flagged", flagged.get());
                    out.put("unjudged_blocked", unjudged.get());
                    return out;
                },
                () -> {
                    answers.set(0);
                    allowed.set(0);
                    flagged.set(0);
                    unjudged.set(0);
                    return Map.of("figures_reset", true);
                });
    }

    /** The verdicts on {@code calls}, judged side by side; a call not judged in time is blocked. */
    Map<String, Verdict> judge(
            JsonNode context, MessagesRequest conversation, List<LocalClassifier.ToolCall> calls, String requestId) {
        Map<String, Future<Verdict>> pending = new LinkedHashMap<>();
        for (LocalClassifier.ToolCall call : calls) {
            pending.put(call.id(), judges.submit(() -> classifier.judge(context, conversation, call, requestId)));
        }
        long deadline = clock.nanoTime() + timeout.toNanos();
        Map<String, Verdict> out = new LinkedHashMap<>();
        for (LocalClassifier.ToolCall call : calls) {
            Future<Verdict> f = pending.get(call.id());
            Verdict v;
            try {
                v = f.get(Math.max(0, deadline - clock.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                v = Verdict.unjudged("no verdict within " + timeout.toSeconds() + " s");
            } catch (ExecutionException e) {
                v = Verdict.unjudged(String.valueOf(e.getCause().getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                v = Verdict.unjudged("interrupted");
            }
            if (v.explanation().startsWith("anyclaude's local safety check could not judge")) {
                unjudged.incrementAndGet();
                log.warn("{}: tool call {} ({}) blocked: {}", requestId, call.id(), call.name(), v.explanation());
            } else if (v.flagged()) {
                flagged.incrementAndGet();
            } else {
                allowed.incrementAndGet();
            }
            out.put(call.id(), v);
        }
        return out;
    }

    /** The {@code safeguard_results} array for these verdicts. */
    String results(Map<String, Verdict> verdicts) {
        ArrayNode results = json.createArrayNode();
        ObjectNode result = results.addObject().put("type", DANGEROUS_TOOL_USE);
        ObjectNode status = result.putObject("status").put("type", "available");
        ObjectNode toolUses = status.putObject("tool_uses");
        verdicts.forEach((id, v) -> {
            ObjectNode entry = toolUses.putObject(id)
                    .put("type", "evaluated")
                    .put("outcome", v.flagged() ? "flagged" : "not_flagged");
            if (!v.explanation().isEmpty()) {
                entry.put("explanation", v.explanation());
            }
        });
        try {
            return json.writeValueAsString(results);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Passes the answer on, keeps its tool calls, and puts their verdicts into the final {@code message_delta}. */
    private final class Judging implements EventSink {
        private final MessagesRequest request;
        private final String requestId;
        private final JsonNode context;
        private final EventSink client;
        private final Map<Integer, String[]> open = new LinkedHashMap<>(); // index -> {id, name}
        private final Map<Integer, StringBuilder> inputs = new LinkedHashMap<>();

        Judging(MessagesRequest request, String requestId, JsonNode context, EventSink client) {
            this.request = request;
            this.requestId = requestId;
            this.context = context;
            this.client = client;
        }

        @Override
        public void accept(StreamEvent event) throws IOException {
            switch (event) {
                case StreamEvent.BlockStart(int index, StreamEvent.ToolUseBlock b) -> {
                    open.put(index, new String[] {b.id(), b.name()});
                    inputs.put(index, new StringBuilder());
                }
                case StreamEvent.BlockDelta(int index, StreamEvent.InputJsonDelta d)
                when inputs.containsKey(index) -> inputs.get(index).append(d.partialJson());
                case StreamEvent.MessageDelta d -> {
                    List<LocalClassifier.ToolCall> calls = new ArrayList<>();
                    open.forEach((index, idName) -> {
                        String input = inputs.get(index).toString();
                        calls.add(new LocalClassifier.ToolCall(idName[0], idName[1], input.isBlank() ? "{}" : input));
                    });
                    answers.incrementAndGet();
                    client.accept(d.withSafeguardResults(
                            results(calls.isEmpty() ? Map.of() : judge(context, request, calls, requestId))));
                    return;
                }
                default -> {}
            }
            client.accept(event);
        }
    }
}
