package dev.anyclaude.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/** Reads request bodies with a size bound, so an oversized body is refused before it is buffered whole. */
final class HttpBodies {
    private HttpBodies() {}

    static byte[] read(Context ctx, long max) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            throw tooLarge(declared, max);
        }
        try (InputStream in = ctx.req().getInputStream()) {
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
