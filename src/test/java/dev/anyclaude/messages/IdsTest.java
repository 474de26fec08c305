package dev.anyclaude.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void idsMintedConcurrentlyOnVirtualThreadsAreUniqueAndWellFormed() throws Exception {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 200; t++) {
                pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        ids.add(Ids.DEFAULT.toolUse());
                    }
                });
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(ids).hasSize(100_000).allMatch(id -> id.matches("toolu_[0-9A-Za-z]{24}"));
    }
}
