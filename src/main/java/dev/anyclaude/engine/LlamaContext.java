package dev.anyclaude.engine;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.BooleanSupplier;

/**
 * One llama.cpp context: its own KV cache of {@code nCtx} cells, a reusable batch and the calls that
 * fill, trim, snapshot and restore the cache.
 *
 * <p>Not thread-safe: a context is used by one thread at a time (the slot that owns it). Every
 * position, sequence id and length is checked here before it reaches native code, because a wrong one
 * there is a crash of the whole process, not an exception.
 */
// Binding native code is what this class is for; the JVM runs with --enable-native-access.
@SuppressWarnings("restricted")
public final class LlamaContext implements AutoCloseable {

    private final LlamaApi api;
    final int nCtx;
    final int nBatch;
    final int nSeq;
    private final Arena arena = Arena.ofShared();
    private MemorySegment ctx;
    private MemorySegment mem;
    private final MemorySegment batch;
    private final MemorySegment batchTokens;
    private final MemorySegment batchPos;
    private final MemorySegment[] batchSeq;
    private final MemorySegment batchLogits;
    private int lastLogits = -1;

    /**
     * Creates a context of {@code nCtx} cells for up to {@code nSeq} sequences.
     *
     * @throws GatewayException when llama.cpp cannot allocate it
     */
    public LlamaContext(NativeModel model, int nCtx, int nBatch, int nSeq, int threads) {
        this(model, nCtx, nBatch, nSeq, threads, NativeOptions.FlashAttention.AUTO, NativeOptions.KvType.F16, false);
    }

    /**
     * Creates a context of {@code nCtx} cells for up to {@code nSeq} sequences with the given attention
     * kernel and KV type; {@code unifiedKv} puts all sequences in one pool of {@code nCtx} cells, else
     * each sequence gets {@code nCtx / nSeq}.
     *
     * @throws GatewayException when llama.cpp cannot allocate it
     */
    public LlamaContext(
            NativeModel model,
            int nCtx,
            int nBatch,
            int nSeq,
            int threads,
            NativeOptions.FlashAttention flashAttention,
            NativeOptions.KvType kvType,
            boolean unifiedKv) {
        if (nCtx < 1 || nBatch < 1 || nSeq < 1 || threads < 1) {
            throw new IllegalArgumentException("context " + nCtx + "/" + nBatch + "/" + nSeq + "/" + threads);
        }
        this.api = model.api;
        this.nCtx = nCtx;
        this.nBatch = Math.min(nBatch, nCtx);
        this.nSeq = nSeq;
        MemorySegment params = api.contextDefaultParams(arena);
        params.set(JAVA_INT, LlamaApi.CTX_N_CTX, nCtx);
        params.set(JAVA_INT, LlamaApi.CTX_N_BATCH, this.nBatch);
        params.set(JAVA_INT, LlamaApi.CTX_N_UBATCH, Math.min(512, this.nBatch));
        params.set(JAVA_INT, LlamaApi.CTX_N_SEQ_MAX, nSeq);
        params.set(JAVA_INT, LlamaApi.CTX_N_THREADS, threads);
        params.set(JAVA_INT, LlamaApi.CTX_N_THREADS_BATCH, threads);
        params.set(JAVA_BYTE, LlamaApi.CTX_NO_PERF, (byte) 1);
        params.set(JAVA_INT, LlamaApi.CTX_FLASH_ATTN, flashAttention.nativeValue);
        params.set(JAVA_INT, LlamaApi.CTX_TYPE_K, kvType.ggmlType);
        params.set(JAVA_INT, LlamaApi.CTX_TYPE_V, kvType.ggmlType);
        params.set(JAVA_BYTE, LlamaApi.CTX_KV_UNIFIED, (byte) (unifiedKv ? 1 : 0));
        MemorySegment created = api.initFromModel(model.model, params);
        if (created.equals(MemorySegment.NULL)) {
            arena.close();
            throw new GatewayException(
                    ErrorKind.BACKEND_BUG,
                    "llama.cpp could not create a context of " + nCtx + " tokens (out of memory?)");
        }
        int actual = api.nCtx(created);
        if (actual < nCtx) {
            api.free(created);
            arena.close();
            throw new GatewayException(
                    ErrorKind.BACKEND_BUG,
                    "llama.cpp made a context of " + actual + " tokens, " + nCtx + " were asked for");
        }
        this.ctx = created;
        this.mem = api.getMemory(created);
        this.batch = api.batchInit(arena, this.nBatch, 0, 1);
        this.batchTokens = batch.get(ADDRESS, 8).reinterpret(4L * this.nBatch);
        this.batchPos = batch.get(ADDRESS, 24).reinterpret(4L * this.nBatch);
        MemorySegment nSeqId = batch.get(ADDRESS, 32).reinterpret(4L * this.nBatch);
        MemorySegment seqIds = batch.get(ADDRESS, 40).reinterpret(8L * this.nBatch);
        this.batchSeq = new MemorySegment[this.nBatch];
        for (int i = 0; i < this.nBatch; i++) {
            nSeqId.setAtIndex(JAVA_INT, i, 1);
            batchSeq[i] = seqIds.getAtIndex(ADDRESS, i).reinterpret(4);
        }
        this.batchLogits = batch.get(ADDRESS, 48).reinterpret(this.nBatch);
    }

    /**
     * Decodes {@code tokens[from, to)} into sequence {@code seq} at positions {@code pos, pos+1, ...},
     * in chunks of at most {@code nBatch}; logits are computed for the last token only.
     *
     * @param cancelled checked between chunks; when it says so, decoding stops (the tokens decoded so
     *     far stay in the cache) and the number decoded is returned
     * @return how many tokens were decoded
     */
    public int decode(int[] tokens, int from, int to, int pos, int seq, BooleanSupplier cancelled) {
        checkSeq(seq);
        if (from < 0 || to > tokens.length || from > to) {
            throw new IllegalArgumentException("token range " + from + ".." + to + " of " + tokens.length);
        }
        if (pos < 0 || (long) pos + (to - from) > nCtx) {
            throw new IllegalArgumentException(
                    "positions " + pos + ".." + (pos + to - from) + " exceed the context of " + nCtx);
        }
        int done = 0;
        for (int start = from; start < to; start += nBatch) {
            if (cancelled != null && cancelled.getAsBoolean()) {
                return done;
            }
            int n = Math.min(nBatch, to - start);
            boolean last = start + n == to;
            MemorySegment.copy(tokens, start, batchTokens, JAVA_INT, 0, n);
            for (int i = 0; i < n; i++) {
                batchPos.setAtIndex(JAVA_INT, i, pos + done + i);
                batchSeq[i].set(JAVA_INT, 0, seq);
                batchLogits.set(JAVA_BYTE, i, (byte) 0);
            }
            if (last) {
                batchLogits.set(JAVA_BYTE, n - 1, (byte) 1);
            }
            batch.set(JAVA_INT, 0, n);
            lastLogits = -1;
            int rc = api.decode(ctx, batch);
            if (last && rc == 0) {
                lastLogits = n - 1;
            }
            if (rc != 0) {
                throw new GatewayException(
                        ErrorKind.BACKEND_BUG,
                        "llama_decode failed with code " + rc + " for " + n + " tokens at position " + (pos + done));
            }
            done += n;
        }
        return done;
    }

    /** Empties the batch that {@link #add} fills and {@link #decodeBatch} decodes. */
    public void clearBatch() {
        batch.set(JAVA_INT, 0, 0);
    }

    /** Tokens in the batch now. */
    public int batchSize() {
        return batch.get(JAVA_INT, 0);
    }

    /**
     * Adds one token of sequence {@code seq} at position {@code pos} to the batch; with {@code logits}
     * its logits are computed, for sampling at the returned batch index.
     */
    public int add(int token, int pos, int seq, boolean logits) {
        checkSeq(seq);
        int i = batchSize();
        if (i >= nBatch) {
            throw new IllegalStateException("batch full: " + nBatch + " tokens");
        }
        if (pos < 0 || pos >= nCtx) {
            throw new IllegalArgumentException("position " + pos + " outside the context of " + nCtx);
        }
        batchTokens.setAtIndex(JAVA_INT, i, token);
        batchPos.setAtIndex(JAVA_INT, i, pos);
        batchSeq[i].set(JAVA_INT, 0, seq);
        batchLogits.set(JAVA_BYTE, i, (byte) (logits ? 1 : 0));
        batch.set(JAVA_INT, 0, i + 1);
        return i;
    }

    /** Decodes the batch (tokens of any sequences at once), leaving it filled. */
    public void decodeBatch() {
        int n = batchSize();
        if (n == 0) {
            return;
        }
        lastLogits = -1;
        int rc = api.decode(ctx, batch);
        if (rc != 0) {
            throw new GatewayException(
                    ErrorKind.BACKEND_BUG, "llama_decode failed with code " + rc + " for a batch of " + n + " tokens");
        }
    }

    /** Tokens one batch holds at most. */
    public int batchCapacity() {
        return nBatch;
    }

    /** The batch index whose logits the last completed {@link #decode} computed, for sampling. */
    public int lastLogitsIndex() {
        return lastLogits;
    }

    /** Removes positions {@code [p0, end)} of sequence {@code seq}. */
    public void removeFrom(int seq, int p0) {
        checkSeq(seq);
        if (p0 < 0) {
            throw new IllegalArgumentException("position " + p0);
        }
        if (!api.kvSeqRm(mem, seq, p0, -1)) {
            throw new GatewayException(
                    ErrorKind.BACKEND_BUG, "llama.cpp refused to trim sequence " + seq + " at " + p0);
        }
    }

    /** Empties the whole cache. */
    public void clear() {
        api.kvClear(mem);
    }

    /** Highest position held by {@code seq}, or -1 when it is empty. */
    public int maxPosition(int seq) {
        checkSeq(seq);
        return api.kvSeqPosMax(mem, seq);
    }

    /** Makes {@code dst} share {@code src}'s cells in {@code [0, end)}; no data is copied. */
    public void share(int src, int dst, int end) {
        checkSeq(src);
        checkSeq(dst);
        api.kvSeqCp(mem, src, dst, 0, end);
    }

    /**
     * Makes {@code dst} a copy of the whole of {@code src} (llama.cpp copies between KV streams only whole
     * sequences; trim the copy with {@link #removeFrom}). {@code dst} should be empty.
     */
    public void copy(int src, int dst) {
        checkSeq(src);
        checkSeq(dst);
        api.kvSeqCp(mem, src, dst, -1, -1);
    }

    /** Bytes a snapshot of {@code seq} takes. */
    public long stateSize(int seq) {
        checkSeq(seq);
        return api.stateSeqGetSize(ctx, seq);
    }

    /** Writes a snapshot of {@code seq} into {@code dst}; returns the bytes written (0 on failure). */
    public long saveState(int seq, MemorySegment dst) {
        checkSeq(seq);
        return api.stateSeqGetData(ctx, dst, dst.byteSize(), seq);
    }

    /** Loads a snapshot into {@code seq}, which must be empty; returns the bytes read (0 on failure). */
    public long loadState(int seq, MemorySegment src) {
        checkSeq(seq);
        return api.stateSeqSetData(ctx, src, src.byteSize(), seq);
    }

    public MemorySegment handle() {
        return ctx;
    }

    private void checkSeq(int seq) {
        if (seq < 0 || seq >= nSeq) {
            throw new IllegalArgumentException("sequence " + seq + " outside 0.." + (nSeq - 1));
        }
        if (ctx == null) {
            throw new IllegalStateException("context closed");
        }
    }

    @Override
    public void close() {
        if (ctx != null) {
            api.free(ctx);
            ctx = null;
            mem = null;
            // The batch's arrays came from malloc in llama_batch_init; the struct itself lives in our arena.
            api.batchFree(batch);
            arena.close();
        }
    }
}
