package dev.anyclaude.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anyclaude.testing.AnyclaudeProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code anyclaude serve} with the embedded engine as its own process: the libraries it may load once
 * per process are chosen, checked and refused here, each in a fresh JVM.
 */
class NativeLibraryCommandTest {

    @Test
    void versionNamesTheEnginesReleaseAndCommit(@TempDir Path dir) throws Exception {
        Process p = AnyclaudeProcess.launch(List.of("--version"), Map.of(), dir);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).contains("anyclaude 0.1.0").contains("llama.cpp v0.5.0 (commit de3ff81)");
    }

    @Test
    void askingForCudaWithoutAnNvidiaDriverFailsWithAClearError(@TempDir Path dir) throws Exception {
        assumeTrue(
                System.getProperty("os.name").startsWith("Linux")
                        && !Files.exists(Path.of("/proc/driver/nvidia/version")),
                "a Linux machine without an NVIDIA driver");
        String err = failedStart(dir, "--gpu", "cuda");
        assertThat(err)
                .contains("--gpu cuda: this machine has no NVIDIA driver")
                .doesNotContain("Exception in thread");
    }

    @Test
    void refusesALibraryOfAnotherRelease(@TempDir Path dir) throws Exception {
        assumeTrue(
                NpmNatives.platform(Accelerator.NONE).equals("linux-x64"),
                "the v0.4.0 package is fetched for linux-x64");
        // node-llama-cpp 3.21.1 carries llama.cpp v0.4.0: a real library of the release before the pinned one.
        Path old = NpmNatives.ensure(
                "linux-x64", "3.21.1", Path.of("target", "natives-v0.4.0").toAbsolutePath());
        String err = failedStart(dir, "--llama-lib", old.toString());
        assertThat(err).contains("is version 0.4.0").contains("expected: 0.5.0");
    }

    @Test
    void runsOnALibraryDirectoryTheUserNamesAndSaysSoInHealth(@TempDir Path dir) throws Exception {
        Path own = NpmNatives.ensure(NpmNatives.platform(Accelerator.NONE), NpmNatives.cacheRoot());
        Process p = AnyclaudeProcess.launch(
                List.of(
                        "serve",
                        "--port",
                        "0",
                        "--model",
                        TestModels.tiny().toString(),
                        "--ctx",
                        "512",
                        "--slots",
                        "1",
                        "--llama-lib",
                        own.toString()),
                Map.of(),
                dir);
        try {
            String line =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(line).as(Files.readString(dir.resolve("stderr.txt"))).startsWith("anyclaude listening on ");
            String url = line.substring("anyclaude listening on ".length());
            HttpResponse<String> health = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url + "/health")).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body())
                    .contains("\"release\":\"v0.5.0\"")
                    .contains("\"commit\":\"de3ff81\"")
                    .contains("\"source\":\"--llama-lib " + own.toAbsolutePath());
            assertThat(Files.readString(dir.resolve("stderr.txt"))).contains("llama.cpp v0.5.0 (de3ff81");
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static String failedStart(Path dir, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(
                "serve", "--port", "0", "--model", TestModels.tiny().toString(), "--ctx", "512", "--slots", "1"));
        args.addAll(List.of(extra));
        Process p = AnyclaudeProcess.launch(args, Map.of(), dir);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isNotZero();
        assertThat(out).doesNotContain("listening");
        return Files.readString(dir.resolve("stderr.txt"));
    }
}
