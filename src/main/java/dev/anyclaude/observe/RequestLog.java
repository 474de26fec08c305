package dev.anyclaude.observe;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --request-log FILE}: one JSON line per request, appended and flushed as each request ends, so
 * {@code tail -f | jq} follows it live. Prompt and response text appear only with {@code --log-bodies};
 * headers never do. A failed write is reported once and does not fail requests.
 */
public final class RequestLog implements RequestListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestLog.class);

    private final Path file;
    private final LogJson json;
    private final boolean bodies;
    private final BufferedWriter out;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean failed;

    private RequestLog(Path file, LogJson json, boolean bodies, BufferedWriter out) {
        this.file = file;
        this.json = json;
        this.bodies = bodies;
        this.out = out;
    }

    static RequestLog open(Path file, LogJson json, boolean bodies) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            BufferedWriter out = Files.newBufferedWriter(
                    file,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
            return new RequestLog(file, json, bodies, out);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--request-log " + file + ": cannot open it for appending (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void finished(RequestRecord record) {
        String line = json.line(record, bodies);
        lock.lock();
        try {
            out.write(line);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            if (!failed) {
                failed = true;
                log.error("cannot write the request log {}: {}", file, e.toString());
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            out.close();
        } catch (IOException e) {
            log.warn("closing the request log {}: {}", file, e.toString());
        } finally {
            lock.unlock();
        }
    }
}
