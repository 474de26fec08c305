package dev.anyclaude;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.engine.TestModels;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.testing.HeadlessChromium;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real headless Chromium, beside a gateway on the embedded engine that serves a multi-turn
 * session with a sub-agent: the rows, reuse figures and divergence message on the page are those of {@code
 * /cache/stats}; a new request shows up without a reload; no prompt text reaches the page.
 */
class DashboardTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String SECRET = "prompt-text-that-must-not-reach-the-page-7f3a";
    private static final String SESSION = "0d5f3c9e-1111-4222-8333-444455556666";
    private static Gateway gateway;

    @BeforeAll
    static void start() {
        ServeOptions o = new ServeOptions();
        o.backend = "embedded";
        o.model = TestModels.tiny().toString();
        o.port = 0;
        o.ctx = 4096;
        o.slots = 2;
        o.threads = 2;
        gateway = Gateway.start(o.settings());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** A Claude Code-like request: its agent's system prompt and tools, then {@code turns} user turns. */
    private static ObjectNode request(String system, List<String> tools, int turns) {
        ObjectNode r = JSON.createObjectNode().put("model", "claude-opus-5-5").put("max_tokens", 4);
        r.put("system", system);
        ArrayNode t = r.putArray("tools");
        for (String name : tools) {
            t.addObject()
                    .put("name", name)
                    .put("description", "The " + name + " tool.")
                    .putObject("input_schema")
                    .put("type", "object");
        }
        ArrayNode messages = r.putArray("messages");
        for (int i = 0; i < turns; i++) {
            if (i > 0) {
                messages.addObject().put("role", "assistant").put("content", "Noted, step " + i + ".");
            }
            messages.addObject().put("role", "user").put("content", "Step " + (i + 1) + " of the task. " + SECRET);
        }
        return r;
    }

    private static void send(ObjectNode body) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages"))
                        .header("content-type", "application/json")
                        .header("x-claude-code-session-id", SESSION)
                        .timeout(Duration.ofMinutes(2))
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static JsonNode stats() throws Exception {
        return JSON.readTree(HTTP.send(
                        HttpRequest.newBuilder(URI.create(gateway.url() + "/cache/stats"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    @Test
    void thePageShowsTheGatewaysOwnFiguresLiveAndNoPromptText() throws Exception {
        String main = "You are the main agent. Work in small steps.";
        List<String> mainTools = List.of("Bash", "Read", "Agent");
        send(request(main, mainTools, 1));
        send(request(main, mainTools, 2));
        send(request("You are an Explore agent: search, do not edit.", List.of("Bash", "Read"), 1)); // a sub-agent
        ObjectNode edited = request(main, mainTools, 3); // an earlier turn rewritten: the prefix breaks there
        ((ObjectNode) edited.path("messages").get(2)).put("content", "Noted, step 1, in other words.");
        send(edited);

        try (HeadlessChromium page = HeadlessChromium.open(gateway.url() + "/dashboard", 1400, 1200)) {
            assertThat(HeadlessChromium.await(Duration.ofSeconds(20), () -> number(page, "#updates") >= 1))
                    .as(
                            "the page got the figures: %s / %s",
                            page.eval("document.getElementById('live').textContent"),
                            page.eval("document.getElementById('error').textContent"))
                    .isTrue();
            JsonNode requests = stats().path("requests");

            // one row per conversation stream, as /cache/stats has them
            List<String> streams = new ArrayList<>();
            requests.path("streams").forEach(s -> streams.add(s.path("stream").asText()));
            assertThat(streams).hasSize(2);
            assertThat(page.eval("JSON.stringify([...document.querySelectorAll('#streams tbody "
                            + "tr')].map(r => r.dataset.stream))"))
                    .isEqualTo(JSON.writeValueAsString(streams));
            assertThat(page.eval("[...document.querySelectorAll('#streams tbody tr')].map(r => "
                            + "r.cells[1].textContent).join(',')"))
                    .isEqualTo("main,sub-agent");

            // the reuse figure and the prompt tokens are the gateway's numbers
            double ratio = requests.path("totals").path("reuse_ratio").asDouble();
            assertThat(page.eval("document.querySelector('[data-k=reuse_ratio] .v').textContent"))
                    .isEqualTo(String.format(java.util.Locale.ROOT, "%.1f %%", 100 * ratio));
            assertThat(ratio).as("turns 2 and 3 reused the main agent's prefix").isGreaterThan(0.2);
            assertThat(page.eval("document.querySelector('[data-k=reused_tokens] .v').textContent"))
                    .isEqualTo(String.format(
                            java.util.Locale.US,
                            "%,d",
                            requests.path("totals").path("reused_tokens").asLong()));

            // why the last main turn re-prefilled, in words
            String divergence =
                    requests.path("streams").get(0).path("last_divergence").asText();
            assertThat(divergence).startsWith("messages[2] changed at character 0");
            assertThat(page.eval("document.querySelector('#streams tbody tr').cells[5].textContent"))
                    .isEqualTo(divergence);

            // a new request shows up without a reload
            long before = number(page, "#updates");
            send(request(main, mainTools, 4));
            assertThat(HeadlessChromium.await(
                            Duration.ofSeconds(10), () -> count(page, "#recent tbody tr") == recentCount()))
                    .as("the fifth request appears live")
                    .isTrue();
            assertThat(count(page, "#recent tbody tr")).isEqualTo(5);
            assertThat(number(page, "#updates")).isGreaterThan(before);
            assertThat(page.eval("performance.getEntriesByType('navigation').length"))
                    .isEqualTo("1");

            // no prompt text on the page
            assertThat(page.eval("document.documentElement.outerHTML"))
                    .doesNotContain(SECRET)
                    .doesNotContain("Explore agent");

            if (Boolean.getBoolean("anyclaude.dashboard.screenshot")) {
                page.screenshot(Path.of("docs", "dashboard.png"));
            }
        }
    }

    @Test
    void theRootLinksThePageAndItsFilesComeFromTheJar() throws Exception {
        assertThat(JSON.readTree(HTTP.send(
                                        HttpRequest.newBuilder(URI.create(gateway.url() + "/"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body())
                        .path("dashboard")
                        .asText())
                .isEqualTo("/dashboard");
        for (String file : List.of(
                "/dashboard",
                "/dashboard/app.js",
                "/dashboard/app.css",
                "/dashboard/uPlot.iife.min.js",
                "/dashboard/uPlot.min.css")) {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(gateway.url() + file)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(file).isEqualTo(200);
            assertThat(r.body()).as(file).isNotBlank();
        }
    }

    @Test
    void withAnApiKeyThePageAndItsEventsNeedIt() throws Exception {
        try (dev.anyclaude.testing.GatewayFixture keyed =
                new dev.anyclaude.testing.GatewayFixture(o -> o.apiKey = "dash-key-1")) {
            HttpResponse<String> refused = keyed.get("/dashboard");
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).contains("authentication_error").contains("/dashboard?key=KEY");
            assertThat(keyed.get("/dashboard?key=wrong").statusCode()).isEqualTo(401);
            assertThat(keyed.get("/dashboard?key=dash-key-1").statusCode()).isEqualTo(200);
            assertThat(keyed.get("/dashboard/events?key=wrong").statusCode()).isEqualTo(401);
            // the key in the query opens only the dashboard, not the API
            assertThat(keyed.get("/cache/stats?key=dash-key-1").statusCode()).isEqualTo(401);
        }
    }

    private static int recentCount() {
        try {
            return stats().path("requests").path("recent").size();
        } catch (Exception e) {
            return -1;
        }
    }

    private static long number(HeadlessChromium page, String selector) {
        try {
            String v = page.eval("(document.querySelector('" + selector + "') || {}).textContent");
            return v.isBlank() ? -1 : Long.parseLong(v.strip());
        } catch (Exception e) {
            return -1;
        }
    }

    private static long count(HeadlessChromium page, String selector) {
        try {
            return Long.parseLong(page.eval("document.querySelectorAll('" + selector + "').length"));
        } catch (Exception e) {
            return -1;
        }
    }
}
