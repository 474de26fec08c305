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
 * <p>One more lives in {@code dev.anyclaude.cache}, next to the package-private classes it measures:
 * {@link dev.anyclaude.cache.CanonicalKeyBenchmark} (the L2 response cache's canonical bytes, SHA-256, hit
 * confirmation, lookup and store).
 */
package dev.anyclaude.bench.jmh;
