package dev.anyclaude.api;

import dev.anyclaude.messages.GatewayException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads request bodies with a size bound, so an oversized body is refused before it is buffered whole. */
final class HttpBodies {
    private HttpBodies() {}

    static byte[] read(Context ctx, long max) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            throw tooLarge(declared, max);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            if (declared >= 0) {
                // the usual case: read straight into an array of the declared size, no chunk list to join
                byte[] body = new byte[(int) declared];
                int n = in.readNBytes(body, 0, body.length);
                if (n < body.length) {
                    return Arrays.copyOf(body, n); // the client sent less than it declared; Jetty reports that
                }
                return body;
            }
            byte[] body = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 16));
            if (body.length > max) {
                throw tooLarge(body.length, max);
            }
            return body;
        }
    }

    private static GatewayException tooLarge(long size, long max) {
        return GatewayException.invalid("request body: " + (size < 0 ? "more than " + max : size)
                + " bytes (expected: at most " + max + " bytes; raise --max-body-bytes)");
    }
}
