package dev.anyclaude.observe;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * The key clients must present when the gateway is reachable by others. Only its SHA-256 digest is kept,
 * and a presented key is compared digest to digest with {@link MessageDigest#isEqual} (constant time, equal
 * lengths), so neither the comparison's timing nor a heap dump gives the key away.
 */
public final class ApiKey {
    private final byte[] digest;

    private ApiKey(String key) {
        this.digest = sha256(key);
    }

    /**
     * The key from {@code --api-key} or the first line of {@code --api-key-file}; empty when neither is set.
     *
     * @throws IllegalArgumentException both are set, the file cannot be read, or the key is blank
     */
    public static Optional<ApiKey> from(String key, Path file) {
        return text(key, file).map(ApiKey::new);
    }

    /** The key's text, read and checked as {@link #from} does: what a client of this gateway must send. */
    public static Optional<String> text(String key, Path file) {
        if (key != null && file != null) {
            throw new IllegalArgumentException("--api-key and --api-key-file: both set (expected: one of them)");
        }
        if (file != null) {
            String line;
            try {
                line = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                        .findFirst()
                        .orElse("")
                        .strip();
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "--api-key-file " + file + ": cannot read it (" + e.getMessage() + ")", e);
            }
            if (line.isEmpty()) {
                throw new IllegalArgumentException(
                        "--api-key-file " + file + ": empty (expected: the key on its first line)");
            }
            return Optional.of(line);
        }
        if (key != null) {
            if (key.isBlank()) {
                throw new IllegalArgumentException("--api-key: blank (expected: a non-empty key)");
            }
            return Optional.of(key.strip());
        }
        return Optional.empty();
    }

    /**
     * Refuses to serve a non-loopback address without a key: anyone who can reach it could use the model.
     *
     * @throws IllegalArgumentException {@code host} is not loopback and no key is set, or it does not resolve
     */
    public static void requireForNonLoopback(String host, boolean keySet) {
        if (keySet) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    "--host " + host + ": unknown host (expected: an address to listen on)", e);
        }
        for (InetAddress a : addresses) {
            if (!a.isLoopbackAddress()) {
                throw new IllegalArgumentException("--host " + host + " is not a loopback address: anyone who can "
                        + "reach it could use the model, so a key is required (expected: --api-key KEY or "
                        + "--api-key-file FILE, or --host 127.0.0.1)");
            }
        }
    }

    /** Whether {@code x-api-key} or {@code Authorization: Bearer} carries the key; both are checked in full. */
    public boolean allows(String apiKeyHeader, String authorizationHeader) {
        boolean ok = apiKeyHeader != null && matches(apiKeyHeader.strip());
        String bearer = bearer(authorizationHeader);
        ok |= bearer != null && matches(bearer);
        return ok;
    }

    private boolean matches(String presented) {
        return MessageDigest.isEqual(digest, sha256(presented));
    }

    private static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String a = authorization.strip();
        return a.length() > 7 && a.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")
                ? a.substring(7).strip()
                : null;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "ApiKey[redacted]";
    }
}
