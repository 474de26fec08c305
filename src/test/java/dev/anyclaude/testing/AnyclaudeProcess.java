package dev.anyclaude.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The {@code anyclaude} command as a separate JVM on the test class path, its stderr in {@code dir/stderr.txt}. */
public final class AnyclaudeProcess {

    private AnyclaudeProcess() {}

    public static Process launch(List<String> args, Map<String, String> env, Path dir) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd =
                new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, "dev.anyclaude.Main"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectError(dir.resolve("stderr.txt").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ANYCLAUDE_"));
        pb.environment().putAll(env);
        return pb.start();
    }
}
