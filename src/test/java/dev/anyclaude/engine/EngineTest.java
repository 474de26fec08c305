package dev.anyclaude.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
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

    static Engine engine(EngineConfig config) {
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

    static Engine.Generation run(Engine e, int[] prompt, Engine.Params p) throws IOException {
        return e.generate(prompt, p, new Recorder());
    }

    /** A listener that, at the first token, says it is inside and keeps its slot until {@code leave}; then stops. */
    static Recorder holding(CountDownLatch inside, CountDownLatch leave) {
        return new Recorder() {
            @Override
            public boolean token(int token) {
                inside.countDown();
                try {
                    leave.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return true;
            }
        };
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
        try (Engine e = engine(TestModels.config(1))) {
            int[] first = tokens(TestModels.text(1, 300));
            Engine.Generation g1 = run(e, first, GREEDY);
            assertThat(g1.reusedTokens()).isZero();
            assertThat(g1.promptTokens()).isEqualTo(first.length);

            int[] second = concat(first, tokens(TestModels.text(2, 40)));
            Recorder rec = new Recorder();
            Engine.Generation g2 = e.generate(second, GREEDY, rec);
            int[] cached = concat(first, Arrays.copyOf(g1.output(), g1.output().length - 1));
            int expected = TokenList.commonPrefix(cached, cached.length, second);
            assertThat(expected).isGreaterThanOrEqualTo(first.length);
            assertThat(g2.reusedTokens()).isEqualTo(expected);
            assertThat(rec.reused).isEqualTo(expected);
            assertThat(rec.promptTokens).isEqualTo(second.length);

            Engine.Generation same = run(e, second, GREEDY);
            assertThat(same.reusedTokens())
                    .as("an identical prompt reuses all but its last token")
                    .isEqualTo(second.length - 1);
            assertThat(same.output()).isEqualTo(g2.output());
        }
    }

    @Test
    void aStrictGrammarDecidesTheOutputOfARandomModel() throws IOException {
        Grammar g = Grammar.strict("root ::= \"<call>\" [a-c]{3} \"</call>\"");
        try (Engine e = engine(TestModels.config(1))) {
            for (int seed = 1; seed <= 3; seed++) {
                Engine.Generation gen =
                        run(e, tokens(TestModels.text(seed, 60)), new Engine.Params(40, 1.0, 0, 1, seed, g));
                String out = TestModels.nativeTiny().detokenize(gen.output());
                assertThat(out).as("seed " + seed).matches("<call>[a-c]{3}</call>");
                assertThat(gen.stop())
                        .as("the grammar ends, so the model must end")
                        .isEqualTo(Engine.Stop.END_OF_GENERATION);
            }
        }
    }

    @Test
    void aLazyGrammarLeavesTheOutputFreeUntilItsTriggerAndConstrainsItAfter() throws IOException {
        // The trigger pattern is a literal opener, here "x": the sampler gives llama.cpp its token as the trigger.
        Grammar g = new Grammar("root ::= \"x\" [0-9]{4}", "root", List.of("(x)"), List.of());
        try (Engine e = engine(TestModels.config(1))) {
            int triggered = 0;
            for (int seed = 1; seed <= 8; seed++) {
                String out = TestModels.nativeTiny()
                        .detokenize(run(e, tokens(TestModels.text(seed, 40)), new Engine.Params(60, 1.5, 0, 1, seed, g))
                                .output());
                int x = out.indexOf('x');
                if (x >= 0) {
                    triggered++;
                    assertThat(out.substring(x)).as("seed " + seed + ": " + out).matches("x[0-9]{0,4}");
                }
            }
            assertThat(triggered)
                    .as("a 1.5-temperature random model writes an x in some of 8 answers")
                    .isPositive();
        }
    }

    @Test
    void triggerPatternsThatAreLiteralOpenersBecomeTokensAndOthersAreLeftOut() {
        assertThat(Sampler.literalOpeners("(<tool_call>)")).containsExactly("<tool_call>");
        assertThat(Sampler.literalOpeners("(\\[TOOL_CALLS\\])")).containsExactly("[TOOL_CALLS]");
        assertThat(Sampler.literalOpeners("(<\\|tool_calls_section_begin\\|>|<\\|tool_call_begin\\|>)"))
                .containsExactly("<|tool_calls_section_begin|>", "<|tool_call_begin|>");
        assertThat(Sampler.literalOpeners("^\\s*(\\{\\s*\"name\"\\s*:)")).isEmpty();
        assertThat(Sampler.literalOpeners("(<\\|channel\\|>(?:commentary|analysis) to=)"))
                .isEmpty();
        // an opener the tiny vocabulary spells in several tokens leaves the answer unconstrained: no grammar at all
        Grammar notOneToken =
                new Grammar("root ::= \"<tool_call>\" [a-z]+", "root", List.of("(<tool_call>)"), List.of());
        try (Engine e = engine(TestModels.config(1))) {
            Engine.Generation free = run(e, tokens(TestModels.text(3, 40)), new Engine.Params(30, 0, 0, 1, 7));
            Engine.Generation lazy =
                    run(e, tokens(TestModels.text(3, 40)), new Engine.Params(30, 0, 0, 1, 7, notOneToken));
            assertThat(lazy.output()).isEqualTo(free.output());
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    @Test
    void greedyOutputIsTokenIdenticalWithAndWithoutReuse() throws IOException {
        int[] prefix = tokens(TestModels.text(3, 500));
        int[] prompt = concat(prefix, tokens(TestModels.text(4, 50)));
        int[] cold;
        try (Engine e = engine(TestModels.splitInvariantConfig(1))) {
            cold = run(e, prompt, new Engine.Params(40, 0, 0, 1, 7)).output();
        }
        try (Engine e = engine(TestModels.splitInvariantConfig(1))) {
            run(e, concat(prefix, tokens(TestModels.text(5, 50))), GREEDY);
            Engine.Generation warm = run(e, prompt, new Engine.Params(40, 0, 0, 1, 7));
            assertThat(warm.reusedTokens()).isGreaterThanOrEqualTo(prefix.length);
            assertThat(warm.output()).isEqualTo(cold);
        }
    }

    @Test
    void seededSamplingIsTokenIdenticalWithAndWithoutReuse() throws IOException {
        Engine.Params sampled = new Engine.Params(40, 1.0, 0, 1, 1234);
        int[] prefix = tokens(TestModels.text(6, 500));
        int[] prompt = concat(prefix, tokens(TestModels.text(7, 50)));
        int[] cold;
        try (Engine e = engine(TestModels.splitInvariantConfig(1))) {
            cold = run(e, prompt, sampled).output();
        }
        try (Engine e = engine(TestModels.splitInvariantConfig(1))) {
            run(e, concat(prefix, tokens(TestModels.text(8, 50))), GREEDY);
            Engine.Generation warm = run(e, prompt, sampled);
            assertThat(warm.reusedTokens()).isGreaterThanOrEqualTo(prefix.length);
            assertThat(warm.output()).isEqualTo(cold);
        }
        assertThat(Arrays.stream(cold).distinct().count())
                .as("sampling yields varied tokens")
                .isGreaterThan(5);
    }

    @Test
    void routesEachPromptToTheSlotSharingTheLongestPrefix() throws IOException {
        try (Engine e = engine(TestModels.config(2))) {
            int[] a = tokens(TestModels.text(10, 200));
            int[] b = tokens(TestModels.text(11, 200));
            int slotA = run(e, a, GREEDY).slot();
            int slotB = run(e, b, GREEDY).slot();
            assertThat(slotB).as("a new prefix takes the empty slot").isNotEqualTo(slotA);

            Engine.Generation a2 = run(e, concat(a, tokens(TestModels.text(12, 30))), GREEDY);
            Engine.Generation b2 = run(e, concat(b, tokens(TestModels.text(13, 30))), GREEDY);
            assertThat(a2.slot()).isEqualTo(slotA);
            assertThat(b2.slot()).isEqualTo(slotB);
            assertThat(a2.reusedTokens()).isGreaterThanOrEqualTo(a.length);
            assertThat(b2.reusedTokens()).isGreaterThanOrEqualTo(b.length);
            assertThat(e.stats()).extracting(SlotSnapshot::saves).containsOnly(0L);
        }
    }

    @Test
    void breaksTiesByLeastRecentUse() throws IOException {
        try (Engine e = engine(TestModels.config(3))) {
            int s0 = run(e, tokens(TestModels.text(20, 100)), GREEDY).slot();
            int s1 = run(e, tokens(TestModels.text(21, 100)), GREEDY).slot();
            int s2 = run(e, tokens(TestModels.text(22, 100)), GREEDY).slot();
            assertThat(List.of(s0, s1, s2)).containsExactlyInAnyOrder(0, 1, 2);
            run(e, tokens(TestModels.text(20, 100)), GREEDY); // s0 becomes the most recently used
            assertThat(run(e, tokens(TestModels.text(23, 100)), GREEDY).slot())
                    .as("no match: least recently used")
                    .isEqualTo(s1);
            assertThat(run(e, tokens(TestModels.text(24, 100)), GREEDY).slot()).isEqualTo(s2);
        }
    }

    @Test
    void ignoresSharedPrefixesShorterThanTheMinimum() throws IOException {
        try (Engine e = engine(TestModels.config(2).withMinPrefixTokens(64))) {
            String common = TestModels.text(30, 40);
            int first =
                    run(e, tokens(common + TestModels.text(31, 200)), GREEDY).slot();
            Engine.Generation other = run(e, tokens(common + TestModels.text(32, 200)), GREEDY);
            assertThat(other.slot()).as("a 40-token match is below the minimum").isNotEqualTo(first);
            assertThat(other.reusedTokens()).isZero();
        }
    }

    @Test
    void savesAReassignedSlotAndRestoresItTokenIdenticalToRecompute() throws IOException {
        int[] a = tokens(TestModels.text(40, 400));
        int[] aNext = concat(a, tokens(TestModels.text(41, 40)));
        Engine.Params p = new Engine.Params(30, 0, 0, 1, 7);
        int[] recomputed;
        try (Engine e = engine(TestModels.config(1))) {
            recomputed = run(e, aNext, p).output();
        }
        try (Engine e = engine(TestModels.config(1))) {
            run(e, a, GREEDY);
            run(e, tokens(TestModels.text(42, 400)), GREEDY);
            assertThat(e.stats().get(0).saves()).isEqualTo(1);
            assertThat(e.store().size()).isEqualTo(1);
            assertThat(e.store().ramBytes()).isPositive();

            Engine.Generation restored = run(e, aNext, p);
            assertThat(restored.restored()).isTrue();
            assertThat(restored.reusedTokens()).isGreaterThanOrEqualTo(a.length);
            assertThat(restored.output()).isEqualTo(recomputed);
            SlotSnapshot stats = e.stats().get(0);
            assertThat(stats.restores()).isEqualTo(1);
            assertThat(stats.saves()).as("the displaced prefix was saved too").isEqualTo(2);
        }
    }

    @Test
    void spillsStatesToDiskWithinItsBoundAndDeletesTheFiles() throws IOException {
        EngineConfig cfg =
                TestModels.config(1).withStateBytes(0, 64 * EngineConfig.MIB).withStateDir(tmp);
        int[] a = tokens(TestModels.text(50, 300));
        Path dir;
        try (Engine e = engine(cfg)) {
            run(e, a, GREEDY);
            run(e, tokens(TestModels.text(51, 300)), GREEDY);
            assertThat(e.store().ramBytes()).isZero();
            assertThat(e.store().diskBytes()).isPositive();
            dir = e.store().directoryIfCreated();
            assertThat(dir).isNotNull().startsWith(tmp);
            try (var files = Files.list(dir)) {
                assertThat(files.count()).isEqualTo(1);
            }
            Engine.Generation back = run(e, concat(a, tokens(TestModels.text(52, 20))), GREEDY);
            assertThat(back.restored()).isTrue();
            assertThat(back.reusedTokens()).isGreaterThanOrEqualTo(a.length);
            assertThat(e.stats().get(0).savedDiskBytes()).isPositive();
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void evictsLeastRecentlyUsedStatesBeyondTheBound() throws IOException {
        long oneState;
        try (Engine probe = engine(TestModels.config(1))) {
            run(probe, tokens(TestModels.text(60, 300)), GREEDY);
            run(probe, tokens(TestModels.text(61, 300)), GREEDY);
            oneState = probe.store().ramBytes();
        }
        assertThat(oneState).isPositive();
        EngineConfig cfg = TestModels.config(1).withStateBytes(oneState * 2 + oneState / 2, 0);
        try (Engine e = engine(cfg)) {
            for (int i = 0; i < 5; i++) {
                run(e, tokens(TestModels.text(70 + i, 300)), GREEDY);
            }
            assertThat(e.store().size()).isEqualTo(2);
            assertThat(e.store().ramBytes()).isLessThanOrEqualTo(cfg.stateRamBytes());
            Engine.Generation oldest = run(e, concat(tokens(TestModels.text(70, 300)), tokens("x")), GREEDY);
            assertThat(oldest.restored()).as("the oldest state was evicted").isFalse();
            Engine.Generation recent = run(e, concat(tokens(TestModels.text(73, 300)), tokens("x")), GREEDY);
            assertThat(recent.restored()).isTrue();
        }
    }

    @Test
    void refusesAPromptLongerThanTheContext() {
        try (Engine e = engine(TestModels.config(1))) {
            int[] prompt = tokens(TestModels.text(80, 1100));
            assertThatThrownBy(() -> run(e, prompt, GREEDY))
                    .isInstanceOfSatisfying(
                            GatewayException.class, g -> assertThat(g.kind()).isEqualTo(ErrorKind.CONTEXT_OVERFLOW))
                    .hasMessage("prompt is too long: " + prompt.length + " tokens > 1024 maximum");
        }
    }

    @Test
    void stopsWhenTheContextIsFull() throws IOException {
        try (Engine e = engine(TestModels.config(1))) {
            int[] prompt = tokens(TestModels.text(81, 1000));
            Engine.Generation g = run(e, prompt, new Engine.Params(500, 0, 0, 1, 7));
            assertThat(g.stop()).isEqualTo(Engine.Stop.CONTEXT_FULL);
            assertThat(g.output().length).isEqualTo(1024 - prompt.length + 1);
        }
    }

    @Test
    void stopsAtMaxTokens() throws IOException {
        try (Engine e = engine(TestModels.config(1))) {
            Engine.Generation g = run(e, tokens(TestModels.text(82, 50)), new Engine.Params(5, 0, 0, 1, 7));
            assertThat(g.stop()).isEqualTo(Engine.Stop.MAX_TOKENS);
            assertThat(g.output()).hasSize(5);
        }
    }

    @Test
    void stopsAtOnceWhenTheListenerFailsAndKeepsTheCacheExact() throws IOException {
        try (Engine e = engine(TestModels.config(1))) {
            int[] prompt = tokens(TestModels.text(83, 200));
            List<Integer> seen = new ArrayList<>();
            assertThatThrownBy(() -> e.generate(prompt, new Engine.Params(50, 0, 0, 1, 7), new Recorder() {
                        @Override
                        public boolean token(int token) throws IOException {
                            seen.add(token);
                            if (seen.size() == 3) {
                                throw new IOException("client left");
                            }
                            return false;
                        }
                    }))
                    .isInstanceOf(IOException.class)
                    .hasMessage("client left");
            assertThat(seen).hasSize(3);

            int[] cached = concat(prompt, new int[] {seen.get(0), seen.get(1)});
            int[] next = concat(cached, tokens(TestModels.text(84, 20)));
            assertThat(run(e, next, GREEDY).reusedTokens()).isEqualTo(cached.length);
        }
    }

    @Test
    void passesAListenerFailureOnUnchangedAndKeepsTheCache() throws IOException {
        try (Engine e = engine(TestModels.config(1))) {
            int[] prompt = tokens(TestModels.text(87, 200));
            IllegalStateException boom = new IllegalStateException("sink broke");
            assertThatThrownBy(() -> e.generate(prompt, GREEDY, new Recorder() {
                        @Override
                        public boolean token(int token) {
                            throw boom;
                        }
                    }))
                    .isSameAs(boom);
            assertThat(run(e, concat(prompt, tokens(TestModels.text(88, 20))), GREEDY)
                            .reusedTokens())
                    .isEqualTo(prompt.length);
        }
    }

    @Test
    void aNewSessionCopiesTheResidentPrefixOfABusySlotInsteadOfComputingIt() throws Exception {
        String common = TestModels.text(200, 600);
        int[] first = tokens(common + TestModels.text(201, 60));
        int[] second = tokens(common + TestModels.text(202, 60));
        int shared = 0;
        while (first[shared] == second[shared]) {
            shared++;
        }
        Engine.Params p = new Engine.Params(20, 0, 0, 1, 7);
        int[] cold;
        try (Engine e = engine(TestModels.splitInvariantConfig(2))) {
            cold = run(e, second, p).output();
        }
        try (Engine e = engine(TestModels.splitInvariantConfig(2))) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch leave = new CountDownLatch(1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                // The first session keeps its slot (its listener has not let go) while the second starts.
                Future<Engine.Generation> busy = pool.submit(() -> e.generate(first, GREEDY, holding(inside, leave)));
                assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
                Engine.Generation copied = run(e, second, p);

                assertThat(copied.slot()).as("the only idle slot").isEqualTo(1);
                assertThat(copied.reusedTokens())
                        .as("the shared prefix is copied, not computed")
                        .isEqualTo(shared);
                assertThat(copied.restored()).isFalse();
                assertThat(e.stats().get(1).copies()).isEqualTo(1);
                assertThat(copied.output())
                        .as("a copied prefix answers as a computed one")
                        .isEqualTo(cold);
                leave.countDown();
                assertThat(busy.get(30, TimeUnit.SECONDS).slot()).isZero();
            } finally {
                leave.countDown();
                pool.shutdownNow();
            }
        }
    }

    @Test
    void concurrentRequestsShareBatchesAndEachGetsItsOwnAnswer() throws Exception {
        try (Engine e = engine(TestModels.config(2))) {
            int[] a = tokens(TestModels.text(210, 100));
            int[] b = tokens(TestModels.text(211, 100));
            Engine.Params p = new Engine.Params(300, 0, 0, 1, 7);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<Engine.Generation> fa = pool.submit(() -> run(e, a, p));
                Future<Engine.Generation> fb = pool.submit(() -> run(e, b, p));
                Engine.Generation ga = fa.get(60, TimeUnit.SECONDS);
                Engine.Generation gb = fb.get(60, TimeUnit.SECONDS);
                assertThat(ga.slot()).isNotEqualTo(gb.slot());
                assertThat(ga.output()).isNotEmpty();
                assertThat(gb.output()).isNotEmpty();
                long[] batches = e.batches();
                assertThat(batches[1])
                        .as("batches with tokens of both requests, of %d", batches[0])
                        .isPositive();
                assertThat(e.stats()).allSatisfy(s -> assertThat(s.busy()).isFalse());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void answersOverloadedWhenNoSlotFreesUpInTime() throws Exception {
        try (Engine e = engine(TestModels.config(1).withSlotWait(Duration.ZERO))) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch leave = new CountDownLatch(1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<Engine.Generation> busy =
                        pool.submit(() -> e.generate(tokens(TestModels.text(85, 50)), GREEDY, holding(inside, leave)));
                assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
                assertThatThrownBy(() -> run(e, tokens(TestModels.text(86, 50)), GREEDY))
                        .isInstanceOfSatisfying(
                                GatewayException.class,
                                g -> assertThat(g.kind()).isEqualTo(ErrorKind.BACKEND_OVERLOADED));
                leave.countDown();
                assertThat(busy.get(30, TimeUnit.SECONDS).stop()).isEqualTo(Engine.Stop.LISTENER);
                assertThat(run(e, tokens(TestModels.text(86, 50)), GREEDY).promptTokens())
                        .isPositive();
            } finally {
                leave.countDown();
                pool.shutdownNow();
            }
        }
    }

    @Test
    void erasingIdleSlotsFreesTheirCacheAndTheyWorkAgainAfterwards() throws IOException {
        try (Engine e = engine(TestModels.config(2))) {
            int[] a = tokens(TestModels.text(90, 200));
            run(e, a, GREEDY);
            long before = e.kvBytes();
            assertThat(e.eraseIdleSlots()).isPositive();
            assertThat(e.kvBytes()).isLessThan(before);
            assertThat(e.stats()).extracting(SlotSnapshot::cachedTokens).containsOnly(0L);
            Engine.Generation again = run(e, concat(a, tokens("y")), GREEDY);
            assertThat(again.reusedTokens()).isZero();
            assertThat(again.output()).isNotEmpty();
        }
    }

    @Test
    void droppingSavedStatesFreesTheirMemory() throws IOException {
        try (Engine e = engine(TestModels.config(1))) {
            run(e, tokens(TestModels.text(91, 300)), GREEDY);
            run(e, tokens(TestModels.text(92, 300)), GREEDY);
            long ram = e.store().ramBytes();
            assertThat(ram).isPositive();
            assertThat(e.dropSavedStates()).isEqualTo(ram);
            assertThat(e.store().ramBytes()).isZero();
            assertThat(run(e, concat(tokens(TestModels.text(91, 300)), tokens("z")), GREEDY)
                            .restored())
                    .isFalse();
        }
    }
}
