package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavedStatesTest {
    @TempDir
    Path dir;

    /** A clock the test moves by hand. */
    static final class HandClock implements InstantSource {
        Instant now = Instant.parse("2026-11-26T08:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    final HandClock clock = new HandClock();

    /** Writes a state file as the server would, then tells the index. */
    private SavedStates.Entry save(SavedStates states, String stream, long agent, int bytes) throws Exception {
        Files.write(dir.resolve(SavedStates.fileName(stream)), new byte[bytes]);
        return states.stored(stream, agent);
    }

    private long filesOnDisk() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void evictsTheLeastRecentlyUsedFilesBeyondTheByteBoundAndDeletesThem() throws Exception {
        SavedStates states = new SavedStates(dir, 250, Duration.ZERO, clock);
        save(states, "a", 1, 100);
        save(states, "b", 1, 100);
        assertThat(states.pin("a")).isNotNull(); // a is now more recently used than b
        states.unpin("a");
        save(states, "c", 1, 100);
        assertThat(states.has("b")).isFalse();
        assertThat(dir.resolve(SavedStates.fileName("b"))).doesNotExist();
        assertThat(states.has("a")).isTrue();
        assertThat(states.bytes()).isEqualTo(200);
        assertThat(states.figures()).containsEntry("evicted", 1L);
    }

    @Test
    void aStateBeingRestoredIsNotEvictedUnderIt() throws Exception {
        SavedStates states = new SavedStates(dir, 150, Duration.ZERO, clock);
        save(states, "a", 1, 100);
        states.pin("a");
        save(states, "b", 1, 100);
        assertThat(states.has("a")).isTrue();
        states.unpin("a");
        save(states, "c", 1, 100);
        assertThat(states.has("a")).isFalse();
    }

    @Test
    void aStateLargerThanTheWholeBoundIsNotKept() throws Exception {
        SavedStates states = new SavedStates(dir, 150, Duration.ZERO, clock);
        save(states, "a", 1, 100);
        assertThat(save(states, "huge", 1, 151)).isNull();
        assertThat(dir.resolve(SavedStates.fileName("huge"))).doesNotExist();
        assertThat(states.has("a")).isTrue();
        assertThat(states.figures()).containsEntry("too_large", 1L);
    }

    @Test
    void aStateUnusedLongerThanTheTtlIsDeleted() throws Exception {
        SavedStates states = new SavedStates(dir, 1000, Duration.ofMinutes(30), clock);
        save(states, "a", 1, 10);
        save(states, "b", 1, 10);
        clock.advance(Duration.ofMinutes(20));
        states.pin("a");
        states.unpin("a");
        clock.advance(Duration.ofMinutes(20));
        assertThat(states.has("b")).isFalse();
        assertThat(states.has("a")).isTrue();
        assertThat(filesOnDisk()).isEqualTo(1);
        assertThat(states.figures()).containsEntry("expired", 1L);
    }

    @Test
    void theSeedOfAnAgentIsItsSmallestState() throws Exception {
        SavedStates states = new SavedStates(dir, 1000, Duration.ZERO, clock);
        save(states, "long-conversation", 7, 300);
        save(states, "~seed/7", 7, 120);
        save(states, "other-agent", 8, 50);
        assertThat(states.pinSeed(7).stream()).isEqualTo("~seed/7");
        assertThat(states.pinSeed(9)).isNull();
    }

    @Test
    void aSaveTheServerDidNotWriteHereIsNotIndexed() {
        SavedStates states = new SavedStates(dir, 1000, Duration.ZERO, clock);
        assertThat(states.stored("a", 1)).isNull();
        assertThat(states.count()).isZero();
    }

    @Test
    void deletesOnlyItsOwnFiles() throws Exception {
        Path foreign = Files.writeString(dir.resolve("mine.bin"), "user's");
        Path leftover = Files.writeString(dir.resolve(SavedStates.FILE_PREFIX + "abc.bin"), "old run");
        SavedStates states = new SavedStates(dir, 1000, Duration.ZERO, clock);
        save(states, "a", 1, 10);
        assertThat(states.deleteLeftovers().files()).isEqualTo(1);
        assertThat(leftover).doesNotExist();
        assertThat(states.has("a")).isTrue();
        SavedStates.Freed freed = states.clear();
        assertThat(freed.files()).isEqualTo(1);
        assertThat(freed.bytes()).isEqualTo(10);
        assertThat(foreign).exists();
        assertThat(filesOnDisk()).isEqualTo(1);
    }

    @Test
    void fileNamesAreSafeForTheServerWhateverTheSessionId() {
        String name = SavedStates.fileName("../../etc/passwd session/with spaces/ünïcode");
        assertThat(name).matches("anyclaude-[0-9a-f]{24}\\.bin");
        assertThat(SavedStates.fileName("a/1")).isNotEqualTo(SavedStates.fileName("a/2"));
    }
}
