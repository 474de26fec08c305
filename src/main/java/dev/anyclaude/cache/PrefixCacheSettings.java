package dev.anyclaude.cache;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the L1 prefix cache in front of a model server.
 *
 * @param slots the server's slot count; 0 to take llama.cpp's {@code total_slots} from {@code /props}
 * @param saveDir the server's {@code --slot-save-path} as this machine sees it, or null to not persist
 *     slot states
 * @param saveBytes bound on the bytes of all saved state files
 * @param saveTtl a saved state unused this long is deleted; zero: no age bound
 * @param slotWait how long a request waits for a busy slot before it is refused as overloaded
 * @param warmNewAgents on first sight of a new system + tools prefix, keep a copy of it for the next new
 *     conversation of that agent (a state snapshot with {@code saveDir}, else a warm-up into a free slot)
 * @param pin pin each conversation stream to a slot of its own ({@code id_slot}); false leaves the choice to
 *     the server, which picks the slot holding the longest common prefix and keeps idle slots in its host
 *     prompt cache
 */
public record PrefixCacheSettings(int slots, Path saveDir, long saveBytes, Duration saveTtl, Duration slotWait,
        boolean warmNewAgents, boolean pin) {

    public static final long DEFAULT_SAVE_BYTES = 4L << 30;

    public PrefixCacheSettings {
        if (slots < 0) {
            throw new IllegalArgumentException("--llama-slots: " + slots + " (expected: 0 for the server's count, or more)");
        }
        if (saveBytes < 1) {
            throw new IllegalArgumentException("--slot-save-bytes: " + saveBytes + " (expected: a positive number of bytes)");
        }
        if (saveTtl.isNegative()) {
            throw new IllegalArgumentException("--slot-save-ttl: " + saveTtl + " (expected: zero or a positive duration)");
        }
        if (slotWait.isNegative()) {
            throw new IllegalArgumentException("--slot-wait: " + slotWait + " (expected: zero or a positive duration)");
        }
        if (saveDir != null && !Files.isDirectory(saveDir)) {
            throw new IllegalArgumentException("--slot-save-dir: " + saveDir
                    + " is not a directory (expected: the directory llama-server was started with as --slot-save-path)");
        }
    }

    /** No persistence, the server's slot count, two minutes of waiting for a busy slot, new agents warmed. */
    public static PrefixCacheSettings defaults() {
        return new PrefixCacheSettings(0, null, DEFAULT_SAVE_BYTES, Duration.ofHours(24), Duration.ofMinutes(2), true, false);
    }
}
