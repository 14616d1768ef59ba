/**
 * The WebGPU Transformer: Llama / Qwen2 / Qwen3 driven by ModelConfig alone (qwen2: q/k/v biases,
 * qwen3: per-head q/k RMSNorm; tied or untied embeddings; grouped-query attention).
 *
 * One forward pass encodes every layer of every chunk of tokens into one command buffer, submits it once
 * and reads back either the logits (all rows or the last) or, for greedy decoding, only their argmax.
 * Greedy drafting (draftGreedy) chains k such passes in that one command buffer, each pass's argmax
 * copied GPU-side into the next pass's token ids, so k draft tokens cost one submit and one readback.
 *
 * Per layer, for n new tokens at positions start .. start+n-1 (x: residual stream (n, H)), 9 dispatches
 * (10 with qwen2's biases):
 *   h = rmsnorm(x)                          input_layernorm
 *   qkv = h·W_qkvᵀ (+ b_qkv)                (n, (nh + 2·nkv)·hd), W_q|W_k|W_v stacked at load
 *   q = rope(norm(q)); cache[start..] = rope(norm(k)), v       norm only for qwen3 (q_norm, k_norm)
 *   x += attention(q, cache)·W_oᵀ           causal, grouped-query; the residual add folded into o_proj
 *   h = rmsnorm(x)                          post_attention_layernorm
 *   x += swiglu(h·W_gate_upᵀ)·W_downᵀ       W_gate|W_up stacked at load; residual folded into down_proj
 * logits = rmsnorm(x)·W_lmᵀ (W_lm = the embedding when tied).
 */
import { InvalidArgumentError } from '../errors';
import type { LanguageModel } from '../decode/language-model';
import type { GpuContext } from '../gpu/context';
import type { Readback, CommandRecorder } from '../gpu/recorder';
import { reshape, tensorBytes, type Tensor } from '../gpu/tensor';
import { AddInPlace } from '../kernels/add';
import { Argmax } from '../kernels/argmax';
import { Attention } from '../kernels/attention';
import { Embedding } from '../kernels/embedding';
import { Matmul, type MatmulWeightDtype } from '../kernels/matmul';
import { RmsNorm } from '../kernels/rmsnorm';
import { QkvSplit } from '../kernels/qkv';
import { ropeTable } from '../kernels/rope';
import { SwiGlu } from '../kernels/swiglu';
import type { ModelConfig } from './config';
import { KvCache } from './kv-cache';
import { checkConfig, chooseMatrixDtype, uploadWeights, type GpuWeights, type WeightDtypeOption } from './transformer-weights';
import { Scratch, type Activations } from './transformer-scratch';
import type { ModelWeights } from './weights';

/** Called with intermediate activations (one position at a time), to find where two implementations diverge. */
export type ActivationTrace = (name: string, position: number, values: Float32Array) => void;

export interface TransformerOptions {
  /** KV cache capacity in tokens; defaults to min(maxPositionEmbeddings, 2048). */
  maxLength?: number;
  /**
   * Matrix storage on the GPU: 'auto' (default) keeps f16 files in f16 where the adapter has shader-f16;
   * 'f16' rounds every matrix to f16, packed in u32 words on adapters without shader-f16.
   */
  weightDtype?: WeightDtypeOption;
  /** Most tokens per chunk of a pass (bounds activation memory); default 64. */
  maxBatch?: number;
  /** Reads back the residual stream after the embedding and after each half-layer (slow; for debugging). */
  trace?: ActivationTrace;
  /** Prefix of GPU object labels. */
  label?: string;
}

interface Kernels {
  embedding: Embedding;
  rmsnorm: RmsNorm;
  matmul: Matmul;
  add: AddInPlace;
  qkv: QkvSplit;
  attention: Attention;
  swiglu: SwiGlu;
  argmax: Argmax;
}

type Output = 'logits' | 'argmax';

export class Transformer implements LanguageModel {
  readonly vocabSize: number;
  readonly maxLength: number;
  private disposed = false;
  private busy = false;

  private constructor(
    readonly ctx: GpuContext,
    readonly config: ModelConfig,
    private readonly weights: GpuWeights,
    private readonly kernels: Kernels,
    private readonly cache: KvCache,
    private readonly ropeTable: Tensor, // (maxLength, hd/2, 2)
    private readonly maxBatch: number,
    private readonly label: string,
    private readonly trace?: ActivationTrace,
  ) {
    this.vocabSize = config.vocabSize;
    this.maxLength = cache.maxLength;
  }

  /** Uploads `weights` (one tensor at a time) and compiles the kernels this adapter needs. */
  static async load(ctx: GpuContext, weights: ModelWeights, opts: TransformerOptions = {}): Promise<Transformer> {
    const c = weights.config;
    checkConfig(c);
    const label = opts.label ?? c.architecture;
    const maxLength = opts.maxLength ?? Math.min(c.maxPositionEmbeddings, 2048);
    const maxBatch = opts.maxBatch ?? 64;
    if (!(maxLength >= 1) || !(maxBatch >= 1)) throw new InvalidArgumentError(`maxLength ${maxLength} and maxBatch ${maxBatch} must be ≥ 1`);
    const matrixDtype = chooseMatrixDtype(ctx, weights, opts.weightDtype ?? 'auto');
    const [embedding, rmsnorm, matmul, add, qkv, attention, swiglu, argmax] = await Promise.all([
      Embedding.create(ctx, { tableDtype: matrixDtype === 'f16' ? 'f16' : 'f32' }),
      RmsNorm.create(ctx),
      Matmul.create(ctx, { weightDtype: matrixDtype }),
      AddInPlace.create(ctx),
      QkvSplit.create(ctx),
      Attention.create(ctx),
      SwiGlu.create(ctx),
      Argmax.create(ctx),
    ]);
    const gpuWeights = await uploadWeights(ctx, weights, matrixDtype, label);
    const cache = new KvCache(ctx, label, c.numLayers, maxLength, c.numKvHeads, c.headDim);
    const table = ctx.uploadTensor(`${label} rope table`, [maxLength, c.headDim / 2, 2], 'f32', ropeTable(c, maxLength));
    const kernels = { embedding, rmsnorm, matmul, add, qkv, attention, swiglu, argmax };
    return new Transformer(ctx, c, gpuWeights, kernels, cache, table, maxBatch, label, opts.trace);
  }

  get length(): number {
    return this.cache.length;
  }

  /** Storage type of the weight matrices on the GPU. */
  get matrixDtype(): MatmulWeightDtype {
    return this.weights.matrixDtype;
  }

  truncate(length: number): void {
    this.cache.truncate(length);
  }

  async forward(tokens: ArrayLike<number>, startPosition: number, opts: { all?: boolean } = {}): Promise<Float32Array> {
    const parts = await this.run(tokens, startPosition, opts.all ?? false, 'logits');
    const out = new Float32Array(parts.reduce((a, p) => a + p.byteLength / 4, 0));
    let at = 0;
    for (const p of parts) {
      out.set(new Float32Array(p), at);
      at += p.byteLength / 4;
    }
    return out;
  }

  async forwardArgmax(tokens: ArrayLike<number>, startPosition: number, opts: { all?: boolean } = {}): Promise<Int32Array> {
    const parts = await this.run(tokens, startPosition, opts.all ?? false, 'argmax');
    return Int32Array.from(parts.flatMap((p) => Array.from(new Uint32Array(p))));
  }

  /**
   * k greedy tokens in one submission: the pass over `tokens`, then k − 1 one-token passes, each fed the
   * previous pass's argmax by a copy inside the command buffer. The last id is proposed, not fed.
   */
  async draftGreedy(tokens: ArrayLike<number>, startPosition: number, k: number): Promise<Int32Array> {
    if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`draftGreedy: k = ${k} must be an integer ≥ 1`);
    const [ids] = await this.run(tokens, startPosition, false, 'argmax', k - 1);
    return new Int32Array(ids); // (k,)
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.weights.all) t.buffer.destroy();
    this.cache.destroy();
    this.ropeTable.buffer.destroy();
  }

  /**
   * One pass over `tokens`: returns the bytes read back per chunk (logits f32 or argmax u32). With
   * `chained` > 0 (argmax of the last row only), `chained` one-token passes follow, each fed the argmax
   * of the pass before; then the only bytes read back are the 1 + chained ids, as one (1 + chained) u32.
   */
  private async run(tokens: ArrayLike<number>, start: number, all: boolean, output: Output, chained = 0): Promise<ArrayBuffer[]> {
    this.validate(tokens, start, chained);
    this.cache.truncate(start);
    this.busy = true;
    const n = tokens.length;
    const chunk = Math.min(this.maxBatch, n);
    const rec = this.ctx.recorder(`${this.label} forward`);
    const scratch = new Scratch(this.ctx, this.config, chunk, all ? chunk : 1, this.label);
    const reads: Readback[] = [];
    const traces: { name: string; start: number; rows: number; read: Readback }[] = [];
    // Embedding and every layer for the chunk `s` at positions pos .. pos + s.n − 1.
    const encodeBody = (s: Activations, pos: number) => {
      const traced = (name: string) =>
        this.trace && traces.push({ name, start: pos, rows: s.n, read: rec.readback(s.x.buffer, 0, s.n * this.config.hiddenSize * 4) });
      this.kernels.embedding.encode(rec, s.ids, this.weights.embed, s.x, 'embed');
      traced('embed');
      for (let l = 0; l < this.config.numLayers; l++) this.encodeLayer(rec, l, s, pos, traced);
    };
    try {
      let last: Tensor | undefined; // (1) u32: the argmax of the last row, when chained
      for (let c0 = 0; c0 < n; c0 += chunk) {
        const ids = Uint32Array.from({ length: Math.min(chunk, n - c0) }, (_, i) => tokens[c0 + i]);
        const rows = all ? ids.length : c0 + ids.length === n ? 1 : 0;
        const s = scratch.activations(ids.length, rows, ids);
        encodeBody(s, start + c0);
        if (rows === 0) continue;
        const out = this.encodeHead(rec, s, rows, output);
        if (chained > 0) last = out;
        else reads.push(rec.readback(out.buffer, 0, tensorBytes(out.shape, out.dtype)));
      }
      if (last) reads.push(this.encodeChain(rec, scratch, last, start + n, chained, encodeBody));
      this.cache.extendTo(start + n + chained);
      rec.submit();
    } catch (e) {
      rec.abandon();
      throw e;
    } finally {
      scratch.release();
      this.busy = false;
    }
    const out = await Promise.all(reads.map((r) => r.read()));
    for (const t of traces) {
      const x = new Float32Array(await t.read.read());
      const H = this.config.hiddenSize;
      for (let i = 0; i < t.rows; i++) this.trace!(t.name, t.start + i, x.slice(i * H, (i + 1) * H));
    }
    return out;
  }

  /**
   * `count` one-token greedy passes at positions pos .. pos + count − 1, the first fed `first` (1) u32.
   * Each pass gets its own uniforms (the recorder gives every dispatch its own slot), so only the token
   * travels between passes, GPU-side. Returns the readback of all 1 + count argmax ids (1 + count) u32.
   */
  private encodeChain(
    rec: CommandRecorder,
    scratch: Scratch,
    first: Tensor,
    pos: number,
    count: number,
    encodeBody: (s: Activations, pos: number) => void,
  ): Readback {
    const drafted = scratch.u32(1 + count, 'drafted ids'); // (1 + count) u32
    const fed = scratch.u32(1, 'drafted token'); // (1) u32, the next pass's input
    let prev = first;
    rec.copy(prev.buffer, 0, drafted.buffer, 0, 4);
    for (let i = 0; i < count; i++) {
      rec.copy(prev.buffer, 0, fed.buffer, 0, 4);
      const s = scratch.activations(1, 1, fed);
      encodeBody(s, pos + i);
      prev = this.encodeHead(rec, s, 1, 'argmax');
      rec.copy(prev.buffer, 0, drafted.buffer, (i + 1) * 4, 4);
    }
    return rec.readback(drafted.buffer, 0, (1 + count) * 4);
  }

  /** `extra`: positions fed after `tokens` (chained passes). */
  private validate(tokens: ArrayLike<number>, start: number, extra = 0): void {
    if (this.disposed) throw new InvalidArgumentError(`${this.label}: forward() on a disposed model`);
    if (this.busy) throw new InvalidArgumentError(`${this.label}: forward() while another forward() is encoding`);
    if (tokens.length === 0) throw new InvalidArgumentError('forward() needs at least one token');
    if (!Number.isInteger(start) || start < 0 || start > this.cache.length) {
      throw new InvalidArgumentError(`startPosition ${start}: the KV cache holds ${this.cache.length} tokens`);
    }
    if (start + tokens.length + extra > this.maxLength) {
      throw new InvalidArgumentError(`${start + tokens.length + extra} tokens exceed the KV cache (${this.maxLength})`, 'context-length');
    }
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (!Number.isInteger(t) || t < 0 || t >= this.vocabSize) {
        throw new InvalidArgumentError(`token ${t} at index ${i} is outside the vocabulary (0..${this.vocabSize - 1})`);
      }
    }
  }

  private encodeLayer(rec: CommandRecorder, l: number, s: Activations, start: number, traced: (name: string) => void): void {
    const c = this.config;
    const { rmsnorm, matmul, add, qkv, attention, swiglu } = this.kernels;
    const L = this.weights.layers[l];
    const kv = this.cache.layers[l];
    const n = s.n;
    const eps = c.rmsNormEps;
    const tag = `layer ${l}`;

    rmsnorm.encode(rec, s.x, L.inputNorm, s.h, eps, `${tag} input_layernorm`);
    matmul.encode(rec, s.h, L.wqkv, s.qkv, { label: `${tag} qkv_proj` });
    if (L.bqkv) add.encode(rec, s.qkv, L.bqkv, `${tag} qkv bias`);
    qkv.encode(
      rec,
      {
        qkv: reshape(s.qkv, [n, c.numHeads + 2 * c.numKvHeads, c.headDim]),
        table: this.ropeTable,
        q: s.q,
        kCache: kv.k,
        vCache: kv.v,
        start,
        norm: L.qNorm && L.kNorm ? { q: L.qNorm, k: L.kNorm, eps } : undefined,
      },
      `${tag} qkv split`,
    );
    attention.encode(rec, s.q, kv.k, kv.v, reshape(s.attn, s.q.shape), start, `${tag} attention`);
    matmul.encode(rec, s.attn, L.wo, s.x, { accumulate: true, label: `${tag} o_proj + residual` });
    traced(`layers.${l}.attn_out`);

    rmsnorm.encode(rec, s.x, L.postNorm, s.h, eps, `${tag} post_attention_layernorm`);
    matmul.encode(rec, s.h, L.wGateUp, s.gateUp, { label: `${tag} gate_up_proj` });
    swiglu.encode(rec, s.gateUp, s.act, `${tag} swiglu`);
    matmul.encode(rec, s.act, L.wDown, s.x, { accumulate: true, label: `${tag} down_proj + residual` });
    traced(`layers.${l}.out`);
  }

  /** Final norm and lm_head over all `rows` of the chunk or its last row; then argmax if asked. Returns the output. */
  private encodeHead(rec: CommandRecorder, s: Activations, rows: number, output: Output): Tensor {
    const H = this.config.hiddenSize;
    const n = s.n;
    let x = s.x;
    if (rows < n) {
      rec.copy(s.x.buffer, (n - 1) * H * 4, s.xLast.buffer, 0, H * 4);
      x = s.xLast;
    }
    const h = rows < n ? s.hLast : s.h;
    this.kernels.rmsnorm.encode(rec, x, this.weights.finalNorm, h, this.config.rmsNormEps, 'model.norm');
    this.kernels.matmul.encode(rec, h, this.weights.lmHead, s.logits, { label: 'lm_head' });
    if (output === 'logits') return s.logits; // (rows, V)
    this.kernels.argmax.encode(rec, s.logits, s.argmaxIds, s.argmaxScratch, 'argmax');
    return s.argmaxIds; // (rows) u32
  }
}
