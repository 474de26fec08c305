package dev.anyclaude.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client key: where it comes from, how it is matched, and when it is required. */
class ApiKeyTest {
    private final ApiKey key = ApiKey.from("sk-local-0123456789", null).orElseThrow();

    @Test
    void acceptsTheKeyAsXApiKeyOrBearerToken() {
        assertThat(key.allows("sk-local-0123456789", null)).isTrue();
        assertThat(key.allows(null, "Bearer sk-local-0123456789")).isTrue();
        assertThat(key.allows(null, "bearer  sk-local-0123456789 ")).isTrue();
        assertThat(key.allows("wrong", "Bearer sk-local-0123456789")).isTrue();
    }

    @Test
    void refusesMissingWrongPrefixedOrOtherSchemeKeys() {
        assertThat(key.allows(null, null)).isFalse();
        assertThat(key.allows("sk-local-012345678", null)).isFalse();
        assertThat(key.allows("sk-local-0123456789x", null)).isFalse();
        assertThat(key.allows("", "")).isFalse();
        assertThat(key.allows(null, "Basic sk-local-0123456789")).isFalse();
        assertThat(key.allows(null, "sk-local-0123456789")).isFalse();
    }

    @Test
    void readsTheFirstLineOfAKeyFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("key"), "  sk-from-file \nsecond line\n");

        ApiKey fromFile = ApiKey.from(null, file).orElseThrow();

        assertThat(fromFile.allows("sk-from-file", null)).isTrue();
        assertThat(fromFile.toString()).doesNotContain("sk-from-file");
    }

    @Test
    void badKeySettingsAreRefusedWithTheOption(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> ApiKey.from(null, empty))
                .hasMessageContaining("--api-key-file")
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> ApiKey.from(null, dir.resolve("missing"))).hasMessageContaining("cannot read");
        assertThatThrownBy(() -> ApiKey.from("k", empty)).hasMessageContaining("both set");
        assertThatThrownBy(() -> ApiKey.from("  ", null)).hasMessageContaining("--api-key: blank");
        assertThat(ApiKey.from(null, null)).isEmpty();
    }

    @Test
    void aNonLoopbackAddressWithoutAKeyIsRefusedBeforeBinding() {
        assertThatThrownBy(() -> ApiKey.requireForNonLoopback("0.0.0.0", false))
                .hasMessageContaining("--host 0.0.0.0 is not a loopback address")
                .hasMessageContaining("--api-key");
        assertThatThrownBy(() -> ApiKey.requireForNonLoopback("::", false)).hasMessageContaining("--api-key-file");
        assertThatThrownBy(() -> ApiKey.requireForNonLoopback("192.168.1.20", false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void loopbackNeedsNoKeyAndAnyAddressIsAllowedWithOne() {
        ApiKey.requireForNonLoopback("127.0.0.1", false);
        ApiKey.requireForNonLoopback("::1", false);
        ApiKey.requireForNonLoopback("localhost", false);
        ApiKey.requireForNonLoopback("0.0.0.0", true);
    }
}
