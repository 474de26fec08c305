package dev.anyclaude.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts and stops a JFR recording in a running JVM with {@code jcmd}, so a profile covers exactly the
 * measured phases and not the start-up or the warm-up.
 */
final class JfrControl {
    private static final String NAME = "anyclaude-bench";

    private JfrControl() {}

    /** Starts a profile-settings recording in {@code pid} that will be written to {@code file}. */
    static Path start(long pid, Path file) throws IOException, InterruptedException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        jcmd(pid, "JFR.start", "name=" + NAME, "settings=profile", "filename=" + file);
        return file;
    }

    /** Stops the recording; JFR writes the file. */
    static void stop(long pid) throws IOException, InterruptedException {
        jcmd(pid, "JFR.stop", "name=" + NAME);
    }

    private static void jcmd(long pid, String... args) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> cmd = new java.util.ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(out).strip());
        }
    }
}
