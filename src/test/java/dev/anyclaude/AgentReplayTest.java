package dev.anyclaude;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.Fixtures;
import dev.anyclaude.bench.AgentReplayClient;
import dev.anyclaude.bench.AgentReplayRequest;
import dev.anyclaude.bench.AgentReplaySession;
import dev.anyclaude.bench.AgentReplayTrim;
import dev.anyclaude.bench.AgentReplayTurn;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.engine.TestModels;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.messages.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The L1 acceptance, run for real: a Claude Code session replayed over HTTP against the gateway
 * with the embedded engine and the generated tiny model. Claude Code's recorded bodies, trimmed to CI
 * size ({@link AgentReplayTrim#ci()}), with the billing line changing on every request. The assertions
 * are on token counts — what the response's usage says and what {@code /cache/stats} counted — not on
 * time.
 */
class AgentReplayTest {
    static final ObjectMapper JSON = Json.create();
    static AgentReplaySession session;

    @BeforeAll
    static void load() throws IOException {
        session = AgentReplaySession.load(
                Fixtures.claudeCode().resolve("p-tool-bash-read"),
                AgentReplayTrim.ci(),
                AgentReplaySession.Billing.PER_REQUEST,
                JSON);
        System.out.println("replay trim: " + session.trim().describe());
    }

    /**
     * The gateway as a user would start it for Claude Code on the embedded engine, with the L2 response
     * cache off so that every turn reaches the engine.
     */
    static Gateway gateway(boolean normalize, int slots) {
        ServeOptions o = new ServeOptions();
        o.backend = "embedded";
        o.model = TestModels.tiny().toString();
        o.port = 0;
        o.ctx = 16384; // the 10th turn's prompt is ~14k tokens with a byte vocabulary
        o.slots = slots;
        o.threads = 2;
        o.responseCache = "off";
        o.noNormalize = !normalize;
        return Gateway.start(o.settings());
    }

    static List<AgentReplayTurn> replay(Gateway g, List<AgentReplayRequest> requests) throws Exception {
        List<AgentReplayTurn> turns = new ArrayList<>();
        try (AgentReplayClient client = new AgentReplayClient(g.url(), JSON, Duration.ofMinutes(5))) {
            for (AgentReplayRequest r : requests) {
                AgentReplayTurn t = client.send(r);
                System.out.printf(
                        Locale.ROOT,
                        "replay %-4s turn %2d: prompt %6d, reused %6d (%.3f), /cache/stats %6d of %6d,"
                                + " slot %d, %6.0f ms%n",
                        t.agent(),
                        t.turn(),
                        t.promptTokens(),
                        t.reusedTokens(),
                        t.reuseRatio(),
                        t.statsReusedTokens(),
                        t.statsPromptTokens(),
                        t.slot(),
                        t.totalMs());
                turns.add(t);
            }
        }
        return turns;
    }

    /** The one conversation stream {@code /cache/stats} knows, checked to be the replayed session's. */
    static JsonNode onlyStream(Gateway g) throws Exception {
        try (AgentReplayClient client = new AgentReplayClient(g.url(), JSON, Duration.ofSeconds(30))) {
            JsonNode recent = client.cacheStats().path("streams").path("recent");
            assertThat(recent).hasSize(1);
            assertThat(recent.get(0).path("stream").asText()).startsWith(session.sessionId() + "/");
            return recent.get(0);
        }
    }

    /**
     * Every turn after a stream's first reused at least {@code ratio} of its prompt, by usage and by /cache/stats
     * alike.
     */
    static void assertReuse(List<AgentReplayTurn> turns, double ratio) {
        for (AgentReplayTurn t : turns) {
            String which = t.agent() + " turn " + t.turn();
            assertThat(t.promptTokens()).as(which + " prompt tokens").isPositive();
            assertThat(t.statsPromptTokens())
                    .as(which + ": /cache/stats counts the same prompt")
                    .isEqualTo(t.promptTokens());
            assertThat(t.statsReusedTokens())
                    .as(which + ": /cache/stats counts the same reuse")
                    .isEqualTo(t.reusedTokens());
            if (t.turn() > 1) {
                assertThat(t.reuseRatio())
                        .as(which + ": reused %d of %d", t.reusedTokens(), t.promptTokens())
                        .isGreaterThanOrEqualTo(ratio);
            }
        }
    }

    static Set<Integer> slotsOf(List<AgentReplayTurn> turns, String agent) {
        return turns.stream()
                .filter(t -> t.agent().equals(agent))
                .map(AgentReplayTurn::slot)
                .collect(Collectors.toSet());
    }

    @Test
    void fromTheSecondTurnOnAtLeast95PercentOfEveryPromptIsReusedAndCacheStatsAgrees() throws Exception {
        try (Gateway g = gateway(true, 2)) {
            List<AgentReplayTurn> turns = replay(g, session.mainAgent(10));

            assertThat(turns).hasSize(10);
            assertThat(turns.getFirst().reusedTokens())
                    .as("the first turn finds nothing to reuse")
                    .isZero();
            assertReuse(turns, 0.95);
            assertThat(slotsOf(turns, "main")).hasSize(1);
            // The changing billing line never reached the prompt: every request only extended the previous one.
            JsonNode main = onlyStream(g);
            assertThat(main.path("requests").asLong()).isEqualTo(10);
            assertThat(main.path("extended").asLong()).isEqualTo(9);
            assertThat(main.path("diverged").asLong()).isZero();
        }
    }

    @Test
    void aMainAgentAndItsSubAgentInterleavedEachKeepAtLeast90PercentInTheirOwnSlot() throws Exception {
        try (Gateway g = gateway(true, 2)) {
            List<AgentReplayTurn> turns =
                    replay(g, AgentReplaySession.interleave(session.mainAgent(5), session.subAgent(5)));

            assertThat(turns)
                    .extracting(AgentReplayTurn::agent)
                    .containsOnly("main", "sub")
                    .hasSize(10);
            assertReuse(turns, 0.90);
            Set<Integer> mainSlots = slotsOf(turns, "main");
            Set<Integer> subSlots = slotsOf(turns, "sub");
            assertThat(mainSlots).hasSize(1);
            assertThat(subSlots).hasSize(1).doesNotContainAnyElementsOf(mainSlots);
        }
    }

    @Test
    void withoutNormalizationTheChangingBillingLineLeavesAlmostNothingToReuse() throws Exception {
        // One slot, so that the second turn meets the first one's cache: what it reuses is exactly the
        // prefix the two prompts share.
        try (Gateway g = gateway(false, 1)) {
            List<AgentReplayTurn> turns = replay(g, session.mainAgent(2));

            AgentReplayTurn second = turns.get(1);
            assertThat(second.statsReusedTokens()).isEqualTo(second.reusedTokens());
            // The prompts part at the billing line's hex digits, the first system block: before them
            // come only the template's system header ("<|im_start|>system\n", 19 tokens with a byte
            // vocabulary), BOS and "x-anthropic-billing-header: cc_version=2.1.197." (47): 67 tokens. A
            // bound of 100 leaves room for template detail and is under 1 % of the ~10k-token prompt.
            assertThat(second.reusedTokens()).isLessThan(100);
            assertThat(second.reuseRatio()).isLessThan(0.01);
            JsonNode main = onlyStream(g);
            assertThat(main.path("diverged").asLong()).isEqualTo(1);
            assertThat(main.path("last").path("part").asText()).isEqualTo("system");
            assertThat(main.path("last").path("offsetInPart").asLong()).isZero(); // in the first 64-character chunk
        }
    }
}
