package dev.anyclaude.api;

import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.messages.EventJson;
import dev.anyclaude.messages.Ids;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.prefix.Normalizer;
import dev.anyclaude.route.ModelRouter;
import io.javalin.http.Context;
import java.io.IOException;

/**
 * {@code POST /v1/messages/count_tokens}: the backend's own tokenizer where it has one; otherwise an
 * estimate, flagged by the {@code anyclaude-token-count: estimate} response header.
 */
final class CountTokensEndpoint {
    private final RequestParser parser;
    private final Normalizer normalizer;
    private final ModelRouter router;
    private final Backend backend;
    private final GatewayOptions options;

    CountTokensEndpoint(
            RequestParser parser,
            EventJson json,
            Normalizer normalizer,
            ModelRouter router,
            Backend backend,
            GatewayOptions options) {
        this.parser = parser;
        this.normalizer = normalizer;
        this.router = router;
        this.backend = backend;
        this.options = options;
    }

    void handle(Context ctx) throws IOException {
        byte[] body = HttpBodies.read(ctx, options.maxBodyBytes());
        MessagesRequest request = normalizer.normalize(parser.parseForCount(body));
        MessagesRequest routed = request.withModel(router.resolve(request.model()));
        Backend.TokenCount count = backend.countTokens(new BackendRequest(routed, null, Ids.DEFAULT.request()));
        ctx.header("anyclaude-token-count", count.exact() ? "exact" : "estimate");
        ctx.status(200).contentType("application/json").result("{\"input_tokens\":" + count.tokens() + "}");
    }
}
