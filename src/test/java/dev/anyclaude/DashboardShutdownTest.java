package dev.anyclaude;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.engine.TestModels;
import dev.anyclaude.gateway.Gateway;
import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Stopping the gateway while a dashboard page holds {@code /dashboard/events} open ends that stream quietly. The
 * stopped server recycles the request under the still-running event handler; Javalin then fails on the recycled
 * response, and an exception handler that itself fails there makes Javalin queue the handler again, forever (a
 * virtual thread spinning on a dead request and megabytes of log a second, seen in the test suite's output).
 */
class DashboardShutdownTest {

    @Test
    void stoppingTheGatewayUnderAnOpenDashboardStreamEndsQuietly() throws Exception {
        Logger javalin = (Logger) LoggerFactory.getLogger(Javalin.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        javalin.addAppender(logs);
        ServeOptions o = new ServeOptions();
        o.backend = "embedded";
        o.model = TestModels.tiny().toString();
        o.port = 0;
        o.ctx = 1024;
        o.slots = 1;
        o.threads = 1;
        try (HttpClient http = HttpClient.newHttpClient()) {
            Gateway gateway = Gateway.start(o.settings());
            InputStream events;
            try {
                events = http.send(
                                HttpRequest.newBuilder(URI.create(gateway.url() + "/dashboard/events"))
                                        .header("Accept", "text/event-stream")
                                        .timeout(Duration.ofSeconds(10))
                                        .build(),
                                HttpResponse.BodyHandlers.ofInputStream())
                        .body();
                BufferedReader lines = new BufferedReader(new InputStreamReader(events, StandardCharsets.UTF_8));
                assertThat(lines.readLine()).isEqualTo("event: stats"); // the stream is open and pushing
            } finally {
                gateway.close();
            }
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos(); // a push a second
            while (System.nanoTime() < until && logs.list.size() < 1000) {
                Thread.sleep(50);
            }
            events.close();
        } finally {
            javalin.detachAppender(logs);
        }
        assertThat(logs.list.stream()
                        .filter(e -> e.getFormattedMessage().contains("threw an error"))
                        .count())
                .as("Javalin's 'exception handler threw an error' warnings after the stop")
                .isZero();
    }
}
