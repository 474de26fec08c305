package dev.anyclaude.backend.launch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server process and every process it started, remembered by PID (a {@link ProcessHandle} also carries the
 * start time, so a reused PID is never mistaken for ours). Servers such as vLLM run their engine in child
 * processes; when the parent crashes those children are re-parented and no longer show up as its
 * descendants, so the tree is snapshotted while the parent is alive and everything remembered is stopped.
 */
final class ProcessTree {
    private final Set<ProcessHandle> members = new LinkedHashSet<>();

    synchronized void add(ProcessHandle root) {
        members.add(root);
        refresh();
    }

    /** Records the current descendants of every live member. */
    synchronized void refresh() {
        for (ProcessHandle h : List.copyOf(members)) {
            if (h.isAlive()) {
                h.descendants().forEach(members::add);
            }
        }
        members.removeIf(h -> !h.isAlive());
    }

    synchronized List<ProcessHandle> alive() {
        return members.stream().filter(ProcessHandle::isAlive).toList();
    }

    /**
     * Stops every remembered process: SIGTERM to all (on POSIX {@code destroy()} sends SIGTERM), then SIGKILL
     * to whatever is still alive after {@code grace}.
     *
     * @return how many processes had to be killed
     */
    int stop(Duration grace) throws InterruptedException {
        List<ProcessHandle> targets;
        synchronized (this) {
            refresh();
            targets = new ArrayList<>(members);
        }
        for (ProcessHandle h : targets) {
            h.destroy();
        }
        awaitExit(targets, grace);
        int killed = 0;
        for (ProcessHandle h : targets) {
            if (h.isAlive()) {
                h.destroyForcibly();
                killed++;
            }
        }
        if (killed > 0) {
            awaitExit(targets, Duration.ofSeconds(5));
        }
        synchronized (this) {
            members.removeIf(h -> !h.isAlive());
        }
        return killed;
    }

    private static void awaitExit(Collection<ProcessHandle> handles, Duration limit) throws InterruptedException {
        CompletableFuture<?>[] exits =
                handles.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // some are still alive: the caller escalates
        }
    }
}
