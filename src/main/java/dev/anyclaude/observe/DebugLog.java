package dev.anyclaude.observe;

import ch.qos.logback.classic.Level;
import dev.anyclaude.messages.RequestObserver.RequestInfo;
import dev.anyclaude.messages.StreamEvent;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --debug N} / {@code ANYCLAUDE_DEBUG=N}: what a user reporting a problem turns on. Level 1 logs a
 * summary of every request and each response-cache decision; level 2 also the request as sent to the
 * backend (normalized, model resolved), lets the gateway's own debug logging through, and writes each
 * failed request — request, error, events received — to a file in the dump directory; level 3 also logs
 * every response event. Logging goes to the {@code anyclaude.debug} logger at INFO, so it shows whatever
 * the root level; headers (keys) are never among what it sees.
 */
public final class DebugLog implements RequestListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("anyclaude.debug");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final int MAX_DUMPS = 200;

    private final int level;
    private final Path dumps;
    private final LogJson json;
    private final InstantSource wall;
    private final Level gatewayLevelBefore;

    /** Refuses a {@code --debug} level other than 0 to 3. */
    static void requireLevel(int level) {
        if (level < 0 || level > 3) {
            throw new IllegalArgumentException("--debug: " + level + " (expected: 0, 1, 2 or 3; also ANYCLAUDE_DEBUG)");
        }
    }

    DebugLog(int level, Path dumps, LogJson json, InstantSource wall) {
        requireLevel(level);
        this.level = level;
        this.dumps = dumps;
        this.json = json;
        this.wall = wall;
        if (level >= 2) {
            prepare(dumps); // first: a refused directory must leave logging as it was
        }
        this.gatewayLevelBefore = level >= 2 ? raiseGatewayLogging(level == 3 ? Level.TRACE : Level.DEBUG) : null;
    }

    /** The default dump directory: {@code <tmp>/anyclaude-debug}. */
    static Path defaultDumps() {
        return Path.of(System.getProperty("java.io.tmpdir"), "anyclaude-debug");
    }

    int level() {
        return level;
    }

    /** Whether response events must be kept for this log (failure dumps). */
    boolean wantsEvents() {
        return level >= 2;
    }

    @Override
    public void started(RequestInfo info) {
        if (level >= 2) {
            log.info(
                    "{} request to {} {}: {}",
                    info.requestId(),
                    info.backend(),
                    info.backendModel(),
                    json.request(info));
        }
    }

    @Override
    public void cache(RequestInfo info, String outcome) {
        if (level >= 1) {
            log.info("{} response cache: {}", info.requestId(), outcome);
        }
    }

    @Override
    public void event(RequestInfo info, StreamEvent event) {
        if (level >= 3) {
            log.info("{} event: {}", info.requestId(), json.event(event));
        }
    }

    @Override
    public void finished(RequestRecord r) {
        if (level < 1) {
            return;
        }
        log.info("{}", json.line(r, false));
        if (level >= 2 && r.failure() != null && !"cancelled".equals(r.outcome())) {
            dump(r);
        }
    }

    private void dump(RequestRecord r) {
        Path file = dumps.resolve(
                "failed-" + STAMP.format(r.startedAt()) + "-" + r.info().requestId() + ".json");
        try {
            Files.writeString(file, json.failure(r, wall.instant()));
            log.info(
                    "{} failed ({}): dumped to {}",
                    r.info().requestId(),
                    r.failure().kind().label(),
                    file);
            prune();
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "{} failed, and the dump {} could not be written: {}",
                    r.info().requestId(),
                    file,
                    e.toString());
        }
    }

    /** Keeps the newest dumps only: a failing backend must not fill the disk. */
    private void prune() throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(dumps)) {
            s.filter(p -> p.getFileName().toString().startsWith("failed-")).forEach(all::add);
        }
        if (all.size() <= MAX_DUMPS) {
            return;
        }
        all.sort(Comparator.comparing(p -> p.getFileName().toString()));
        for (Path p : all.subList(0, all.size() - MAX_DUMPS)) {
            Files.deleteIfExists(p);
        }
    }

    /** Creates the dump directory readable by its owner only: dumps hold prompts. */
    private static void prepare(Path dir) {
        try {
            try {
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createDirectories(dir);
            } catch (FileAlreadyExistsException e) {
                throw new IOException(dir + " exists and is not a directory");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--debug-dir " + dir + ": cannot create it (" + e.getMessage() + ")", e);
        }
    }

    /** Lets the gateway's own debug (or trace) logging through; returns the level to restore. */
    private static Level raiseGatewayLogging(Level to) {
        if (LoggerFactory.getLogger("dev.anyclaude") instanceof ch.qos.logback.classic.Logger l) {
            Level before = l.getLevel();
            l.setLevel(to);
            return before;
        }
        return null;
    }

    @Override
    public void close() {
        if (level >= 2 && LoggerFactory.getLogger("dev.anyclaude") instanceof ch.qos.logback.classic.Logger l) {
            l.setLevel(gatewayLevelBefore); // null: inherit from the root again
        }
    }
}
