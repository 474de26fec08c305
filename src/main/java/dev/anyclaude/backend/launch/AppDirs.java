package dev.anyclaude.backend.launch;

import java.nio.file.Path;
import java.util.Map;

/** Where anyclaude keeps files between runs: logs in the XDG state directory, slot files in the cache directory. */
public record AppDirs(Path state, Path cache) {

    public static AppDirs from(Map<String, String> env) {
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        Path state = env.get("XDG_STATE_HOME") != null
                ? Path.of(env.get("XDG_STATE_HOME"))
                : Path.of(home, ".local", "state");
        Path cache = env.get("XDG_CACHE_HOME") != null ? Path.of(env.get("XDG_CACHE_HOME")) : Path.of(home, ".cache");
        return new AppDirs(state.resolve("anyclaude"), cache.resolve("anyclaude"));
    }

    public static AppDirs system() {
        return from(System.getenv());
    }
}
