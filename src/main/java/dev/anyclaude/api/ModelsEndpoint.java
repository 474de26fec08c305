package dev.anyclaude.api;

import dev.anyclaude.backend.Backend;
import dev.anyclaude.messages.EventJson;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.route.ModelRouter;
import io.javalin.http.Context;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code GET /v1/models}: the models a client may ask for — the configured main and small models, the
 * aliases, and what the backend reports — in Anthropic's list format.
 */
final class ModelsEndpoint {
    private static final String CREATED = "2026-01-01T00:00:00Z";

    private final ModelRouter router;
    private final Backend backend;

    ModelsEndpoint(EventJson json, ModelRouter router, Backend backend) {
        this.router = router;
        this.backend = backend;
    }

    private Set<String> ids() {
        Set<String> ids = new LinkedHashSet<>();
        if (router.mainModel() != null) {
            ids.add(router.mainModel());
        }
        if (router.smallModel() != null) {
            ids.add(router.smallModel());
        }
        ids.addAll(router.aliases().keySet());
        try {
            ids.addAll(backend.models());
        } catch (GatewayException e) {
            // a backend that cannot list its models still serves the configured ones
        }
        return ids;
    }

    void list(Context ctx) {
        StringBuilder sb = new StringBuilder("{\"data\":[");
        String first = null;
        String last = null;
        for (String id : ids()) {
            if (first != null) {
                sb.append(',');
            } else {
                first = id;
            }
            last = id;
            entry(sb, id);
        }
        sb.append("],\"has_more\":false,\"first_id\":")
                .append(GatewayServer.quote(first))
                .append(",\"last_id\":")
                .append(GatewayServer.quote(last))
                .append('}');
        ctx.status(200).contentType("application/json").result(sb.toString());
    }

    void one(Context ctx) {
        // Every name is served (unknown names go to the main model), so every name resolves.
        String id = ctx.pathParam("id");
        StringBuilder sb = new StringBuilder();
        entry(sb, id);
        ctx.status(200).contentType("application/json").result(sb.toString());
    }

    private static void entry(StringBuilder sb, String id) {
        sb.append("{\"type\":\"model\",\"id\":")
                .append(GatewayServer.quote(id))
                .append(",\"display_name\":")
                .append(GatewayServer.quote(id))
                .append(",\"created_at\":\"")
                .append(CREATED)
                .append("\"}");
    }
}
