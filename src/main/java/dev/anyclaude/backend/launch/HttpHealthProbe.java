package dev.anyclaude.backend.launch;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A health check by {@code GET}: 200 means ready; anything else is reported with a short excerpt of the body. */
final class HttpHealthProbe implements HealthProbe, AutoCloseable {
    private final URI uri;
    private final HttpClient http;

    HttpHealthProbe(URI uri) {
        this.uri = uri;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    @Override
    public Health check() throws InterruptedException {
        HttpRequest req =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() == 200) {
                return new Health(true, "ok");
            }
            return new Health(false, "HTTP " + resp.statusCode() + excerpt(resp.body()));
        } catch (ConnectException e) {
            return new Health(false, "not listening yet");
        } catch (HttpTimeoutException e) {
            return new Health(false, "no answer within 5 s");
        } catch (IOException e) {
            return new Health(
                    false, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    /** llama-server says {@code {"error":{"message":"Loading model",...}}}: show its message, not the JSON. */
    private static String excerpt(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"message\"\\s*:\\s*\"([^\"]{1,80})\"")
                .matcher(s);
        if (m.find()) {
            return " " + m.group(1);
        }
        s = s.strip().replaceAll("\\s+", " ");
        return s.isEmpty() ? "" : " " + (s.length() > 80 ? s.substring(0, 80) + "..." : s);
    }

    @Override
    public void close() {
        http.close();
    }
}
