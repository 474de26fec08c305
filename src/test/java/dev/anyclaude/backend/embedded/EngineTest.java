package dev.anyclaude.backend.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.api.ErrorKind;
import dev.anyclaude.api.GatewayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineTest {

    static final Engine.Params GREEDY = new Engine.Params(12, 0, 0, 1, 7);

    @TempDir
    Path tmp;

    static EmbeddedConfig config(int slots) {
        return EmbeddedConfig.defaults(TestModels.tiny())
                .withCtxPerSlot(1024).withSlots(slots).withThreads(2).withBatch(256)
                .withStateBytes(64 * EmbeddedConfig.MIB, 0).withSeed(7)
                .withSlotWait(Duration.ofSeconds(60)).withMinPrefixTokens(16);
    }

    static Engine engine(EmbeddedConfig config) {
        return new Engine(TestModels.nativeTiny(), config);
    }

    static int[] tokens(String text) {
        return TestModels.nativeTiny().tokenize(text);
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A prompt of about {@code n} tokens, different for each {@code seed}. */
    static String text(int seed, int n) {
        StringBuilder sb = new StringBuilder();
        java.util.Random r = new java.util.Random(seed);
        while (sb.length() < n) {
            sb.append((char) ('a' + r.nextInt(26)));
            if (r.nextInt(6) == 0) {
                sb.append(' ');
            }
        }
        return sb.substring(0, n);
    }

    static Engine.Generation run(Engine e, int[] prompt, Engine.Params p) throws IOException {
        return e.generate(prompt, p, new Recorder());
    }

    /** Records what the engine reports. */
    static class Recorder implements Engine.Listener {
        int slot = -1;
        int promptTokens;
        int reused = -1;
        final List<Integer> tokens = new ArrayList<>();

        @Override
        public void started(int slot, int promptTokens, int reused) {
            this.slot = slot;
            this.promptTokens = promptTokens;
            this.reused = reused;
        }

        @Override
        public boolean token(int token) throws IOException {
            tokens.add(token);
            return false;
        }
    }

    @Test
    void reusesExactlyTheCommonPrefixOfCachedAndNewTokens() throws IOException {
        try (Engine e = engine(config(1))) {
            int[] first = tokens(text(1, 300));
            Engine.Generation g1 = run(e, first, GREEDY);
            assertThat(g1.reusedTokens()).isZero();
            assertThat(g1.promptTokens()).isEqualTo(first.length);

            int[] second = concat(first, tokens(text(2, 40)));
            Recorder rec = new Recorder();
            Engine.Generation g2 = e.generate(second, GREEDY, rec);
            int[] cached = concat(first, Arrays.copyOf(g1.output(), g1.output().length - 1));
            int expected = TokenList.commonPrefix(cached, cached.length, second);
            assertThat(expected).isGreaterThanOrEqualTo(first.length);
            assertThat(g2.reusedTokens()).isEqualTo(expected);
            assertThat(rec.reused).isEqualTo(expected);
            assertThat(rec.promptTokens).isEqualTo(second.length);

            Engine.Generation same = run(e, second, GREEDY);
            assertThat(same.reusedTokens()).as("an identical prompt reuses all but its last token").isEqualTo(second.length - 1);
            assertThat(same.output()).isEqualTo(g2.output());
        }
    }

    @Test
    void greedyOutputIsTokenIdenticalWithAndWithoutReuse() throws IOException {
        int[] prefix = tokens(text(3, 500));
        int[] prompt = concat(prefix, tokens(text(4, 50)));
        int[] cold;
        try (Engine e = engine(config(1))) {
            cold = run(e, prompt, new Engine.Params(40, 0, 0, 1, 7)).output();
        }
        try (Engine e = engine(config(1))) {
            run(e, concat(prefix, tokens(text(5, 50))), GREEDY);
            Engine.Generation warm = run(e, prompt, new Engine.Params(40, 0, 0, 1, 7));
            assertThat(warm.reusedTokens()).isGreaterThanOrEqualTo(prefix.length);
            assertThat(warm.output()).isEqualTo(cold);
        }
    }

    @Test
    void seededSamplingIsTokenIdenticalWithAndWithoutReuse() throws IOException {
        Engine.Params sampled = new Engine.Params(40, 1.0, 0, 1, 1234);
        int[] prefix = tokens(text(6, 500));
        int[] prompt = concat(prefix, tokens(text(7, 50)));
        int[] cold;
        try (Engine e = engine(config(1))) {
            cold = run(e, prompt, sampled).output();
        }
        try (Engine e = engine(config(1))) {
            run(e, concat(prefix, tokens(text(8, 50))), GREEDY);
            Engine.Generation warm = run(e, prompt, sampled);
            assertThat(warm.reusedTokens()).isGreaterThanOrEqualTo(prefix.length);
            assertThat(warm.output()).isEqualTo(cold);
        }
        assertThat(Arrays.stream(cold).distinct().count()).as("sampling yields varied tokens").isGreaterThan(5);
    }
}
