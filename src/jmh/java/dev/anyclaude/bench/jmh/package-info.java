/**
 * JMH micro-benchmarks of the gateway's hot pieces, each on real Claude Code inputs from the shared captures
 * (run with {@code ./mvnw -q -B -Pjmh -DskipTests test -Djmh.args="..."} or {@code ./anyclaude bench jmh}):
 *
 * <ul>
 *   <li>{@link dev.anyclaude.bench.jmh.RequestParsingBenchmark}: {@code api.RequestParser} on the 77 KB bodies;
 *   <li>{@link dev.anyclaude.bench.jmh.RequestTranslationBenchmark}: normalize + {@code translate.OpenAiRequestWriter};
 *   <li>{@link dev.anyclaude.bench.jmh.StreamTranslationBenchmark}: {@code translate.OpenAiStreamTranslator} on
 *       recorded OpenAI streams, alone and with SSE encoding;
 *   <li>{@link dev.anyclaude.bench.jmh.SseEncodingBenchmark}: {@code api.EventJson} frames and JSON aggregation;
 *   <li>{@link dev.anyclaude.bench.jmh.PromptShapeBenchmark}: {@code prefix.PromptShape} fingerprints and
 *       divergence between consecutive turns.
 * </ul>
 *
 * <p>Slot for the L2 response cache: its canonical key hashing (on the {@code cache} branch) gets a
 * {@code CanonicalKeyBenchmark} here, built the same way — a {@code @State} holding {@link
 * dev.anyclaude.bench.jmh.Inputs#request(String)} for the 77 KB captures, one {@code @Benchmark} per public
 * operation (canonical bytes, hash, hit confirmation by byte comparison).
 */
package dev.anyclaude.bench.jmh;
