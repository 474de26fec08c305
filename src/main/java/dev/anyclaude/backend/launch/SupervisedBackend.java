package dev.anyclaude.backend.launch;

import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.messages.EventSink;
import java.io.IOException;
import java.util.List;

/**
 * The backend of a model server that anyclaude launched: requests go to it unchanged, and its readiness is
 * the supervisor's word first — a server being restarted after a crash is not ready "restarting (attempt N)"
 * before any probe could tell, one the supervisor gave up on says so — then the server's own answer.
 */
public final class SupervisedBackend implements Backend {
    private final Backend server;
    private final LaunchedServer launched;

    public SupervisedBackend(Backend server, LaunchedServer launched) {
        this.server = server;
        this.launched = launched;
    }

    @Override
    public String name() {
        return server.name();
    }

    @Override
    public void generate(BackendRequest request, EventSink sink) throws IOException {
        server.generate(request, sink);
    }

    @Override
    public TokenCount countTokens(BackendRequest request) {
        return server.countTokens(request);
    }

    @Override
    public List<String> models() {
        return server.models();
    }

    @Override
    public Readiness readiness() {
        ServerSupervisor s = launched.supervisor();
        String label = launched.name();
        return switch (s.state()) {
            case READY -> server.readiness();
            case RESTARTING -> Readiness.down(label + " restarting (attempt " + Math.max(1, s.attempt()) + ")");
            case STARTING, NEW -> Readiness.down(label + " starting");
            case FAILED -> Readiness.down(label + " failed and is not restarted any more (see " + s.logFile() + ")");
            case STOPPED -> Readiness.down(label + " stopped");
        };
    }

    @Override
    public long contextTokens() {
        return server.contextTokens();
    }

    @Override
    public void close() {
        server.close();
    }
}
