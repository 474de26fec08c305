package dev.anyclaude.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults from the environment and a config file, so that precedence is flags > environment >
 * file > built-in defaults. An option {@code --upstream-key} reads {@code ANYCLAUDE_UPSTREAM_KEY} from the
 * environment and {@code upstream-key:} from the YAML file. Unknown keys in the file are refused with
 * their line, so a typo never silently does nothing.
 */
public final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    private final Map<String, String> env;
    private final Path file;
    private final JsonNode config;

    ConfigDefaults(Map<String, String> env, Path file, JsonNode config) {
        this.env = env;
        this.file = file;
        this.config = config;
    }

    /** Loads the config file named by {@code --config}, {@code ANYCLAUDE_CONFIG}, ./anyclaude.yaml or the user dir. */
    public static ConfigDefaults load(String[] args, Map<String, String> env) {
        Path file = locate(args, env);
        if (file == null) {
            return new ConfigDefaults(env, null, null);
        }
        try {
            JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            if (node != null && !node.isNull() && !node.isObject()) {
                throw new IllegalArgumentException(file + ": expected a mapping of option names to values");
            }
            return new ConfigDefaults(env, file, node == null || node.isNull() ? null : node);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "config file " + file + " is not valid YAML: "
                            + e.getMessage().lines().findFirst().orElse(""),
                    e);
        }
    }

    static Path locate(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                break;
            }
            if (args[i].equals("--config") && i + 1 < args.length) {
                return existing(Path.of(args[i + 1]), true);
            }
            if (args[i].startsWith("--config=")) {
                return existing(Path.of(args[i].substring(9)), true);
            }
        }
        if (env.get("ANYCLAUDE_CONFIG") != null) {
            return existing(Path.of(env.get("ANYCLAUDE_CONFIG")), true);
        }
        Path local = Path.of("anyclaude.yaml");
        if (Files.isRegularFile(local)) {
            return local;
        }
        String xdg = env.getOrDefault("XDG_CONFIG_HOME", System.getProperty("user.home") + "/.config");
        return existing(Path.of(xdg, "anyclaude", "config.yaml"), false);
    }

    private static Path existing(Path p, boolean required) {
        if (Files.isRegularFile(p)) {
            return p;
        }
        if (required) {
            throw new IllegalArgumentException("config file " + p + " does not exist");
        }
        return null;
    }

    /** Refuses keys that name no option of the command, citing the file line. */
    public void check(Iterable<CommandLine> commands) {
        if (config == null) {
            return;
        }
        Set<String> known = new java.util.HashSet<>();
        for (CommandLine c : commands) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                known.add(o.longestName().replaceFirst("^--?", ""));
            }
        }
        List<String> bad = new ArrayList<>();
        for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                bad.add(key);
            }
        }
        if (!bad.isEmpty()) {
            String key = bad.getFirst();
            throw new IllegalArgumentException(file + ":" + lineOf(key) + ": unknown setting '" + key
                    + "' (expected one of: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
        }
    }

    private int lineOf(String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).stripLeading().startsWith(key + ":")) {
                    return i + 1;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return 0;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        String name = option.longestName().replaceFirst("^--?", "");
        String fromEnv = env.get("ANYCLAUDE_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (fromEnv != null) {
            return fromEnv;
        }
        if (config != null && config.has(name)) {
            JsonNode v = config.get(name);
            if (v.isObject()) { // a map option such as alias: {claude-x: local-y}
                List<String> pairs = new ArrayList<>();
                v.fields()
                        .forEachRemaining(
                                e -> pairs.add(e.getKey() + "=" + e.getValue().asText()));
                return String.join(",", pairs);
            }
            if (v.isArray()) {
                List<String> items = new ArrayList<>();
                v.forEach(x -> items.add(x.asText()));
                // Options whose values may hold commas (server arguments) split on NUL, which no argument can contain.
                return String.join("\\x00".equals(option.splitRegex()) ? "\0" : ",", items);
            }
            return v.asText();
        }
        return option.defaultValue();
    }

    Path file() {
        return file;
    }
}
