/**
 * A tiny random-weight causal transformer on the CPU, for decoding tests until (and besides) the
 * reference model: token + position embeddings, `layers` pre-norm blocks of single-head attention
 * over a real KV cache and a ReLU MLP, a final norm and an output head. Float64 throughout, and a
 * batched forward computes each position exactly as a one-token forward would, so greedy outputs of
 * different schedules are bit-identical.
 *
 * `layerScale` shrinks the later blocks' contributions: a model that keeps only the first blocks of
 * such a target (`firstLayers`) agrees with it most of the time, which makes a realistic draft.
 */
import { ForesightError } from '../../errors';
import type { LanguageModel } from '../language-model';
import { Xoshiro128 } from '../prng';

export interface TinyLmSpec {
  vocabSize: number;
  dim: number; // d
  hidden: number; // MLP width h
  layers: number;
  maxLength: number;
  seed: number;
  /** Multiplies the output head: larger → peakier next-token distributions. */
  logitScale?: number;
  /** Residual scale of block i ≥ 1 is layerScale^i (block 0 has 1). */
  layerScale?: number;
}

interface Block {
  wq: Float64Array; // (d, d)
  wk: Float64Array; // (d, d)
  wv: Float64Array; // (d, d)
  wo: Float64Array; // (d, d)
  w1: Float64Array; // (h, d)
  w2: Float64Array; // (d, h)
  scale: number; // residual scale
}

export interface TinyLmWeights {
  spec: TinyLmSpec;
  embed: Float64Array; // (vocab, d)
  pos: Float64Array; // (maxLength, d)
  blocks: Block[];
  head: Float64Array; // (vocab, d)
}

export function randomTinyLmWeights(spec: TinyLmSpec): TinyLmWeights {
  const rng = Xoshiro128.fromSeed(spec.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const mat = (rows: number, cols: number, std: number) => Float64Array.from({ length: rows * cols }, () => std * normal());
  const { vocabSize: V, dim: d, hidden: h } = spec;
  const blocks = Array.from({ length: spec.layers }, (_, i) => ({
    wq: mat(d, d, 1 / Math.sqrt(d)),
    wk: mat(d, d, 1 / Math.sqrt(d)),
    wv: mat(d, d, 1 / Math.sqrt(d)),
    wo: mat(d, d, 1 / Math.sqrt(d)),
    w1: mat(h, d, 1 / Math.sqrt(d)),
    w2: mat(d, h, 1 / Math.sqrt(h)),
    scale: (spec.layerScale ?? 1) ** i,
  }));
  return { spec, embed: mat(V, d, 1), pos: mat(spec.maxLength, d, 0.5), blocks, head: mat(V, d, 1 / Math.sqrt(d)) };
}

/** The same weights with only the first n blocks: a cheap draft for the full model. */
export function firstLayers(w: TinyLmWeights, n: number): TinyLmWeights {
  return { ...w, spec: { ...w.spec, layers: n }, blocks: w.blocks.slice(0, n) };
}

export class TinyLm implements LanguageModel {
  readonly vocabSize: number;
  readonly maxLength: number;
  /** Forward calls and positions processed, for tests that check what the decoder asked for. */
  readonly calls = { forward: 0, forwardArgmax: 0, positions: 0, logitRowsReturned: 0 };
  private len = 0;
  private readonly keys: Float64Array[]; // per block: (maxLength, d)
  private readonly values: Float64Array[]; // per block: (maxLength, d)

  constructor(readonly weights: TinyLmWeights) {
    this.vocabSize = weights.spec.vocabSize;
    this.maxLength = weights.spec.maxLength;
    const size = weights.spec.maxLength * weights.spec.dim;
    this.keys = weights.blocks.map(() => new Float64Array(size));
    this.values = weights.blocks.map(() => new Float64Array(size));
  }

  get length(): number {
    return this.len;
  }

  truncate(length: number): void {
    if (length < 0 || length > this.len) throw new ForesightError('internal', `truncate(${length}) with ${this.len} cached`);
    this.len = length;
  }

  dispose(): void {}

  async forward(tokens: ArrayLike<number>, startPosition: number, opts: { all?: boolean } = {}): Promise<Float32Array> {
    this.calls.forward++;
    const rows = this.run(tokens, startPosition, opts.all ?? false);
    this.calls.logitRowsReturned += rows.length;
    const V = this.vocabSize;
    const out = new Float32Array(rows.length * V); // (rows, V)
    rows.forEach((r, i) => out.set(r, i * V));
    return out;
  }

  private run(tokens: ArrayLike<number>, start: number, all: boolean): Float64Array[] {
    const n = tokens.length;
    if (n === 0 || start > this.len || start + n > this.maxLength) {
      throw new ForesightError('internal', `forward of ${n} tokens at ${start}: cache holds ${this.len} of ${this.maxLength}`);
    }
    this.len = start;
    const rows: Float64Array[] = [];
    for (let i = 0; i < n; i++) {
      const logits = this.step(tokens[i], start + i);
      if (all || i === n - 1) rows.push(logits);
    }
    this.calls.positions += n;
    return rows;
  }

  /** One position: appends its keys/values to the cache and returns its (V,) logits. */
  private step(token: number, pos: number): Float64Array {
    const { spec, embed, blocks, head } = this.weights;
    const d = spec.dim;
    if (!(token >= 0 && token < spec.vocabSize)) throw new ForesightError('internal', `token ${token} out of range`);
    const x = new Float64Array(d); // (d,) residual stream
    for (let i = 0; i < d; i++) x[i] = embed[token * d + i] + this.weights.pos[pos * d + i];
    blocks.forEach((b, l) => {
      const hn = rmsNorm(x);
      const q = matvec(b.wq, hn, d, d);
      this.keys[l].set(matvec(b.wk, hn, d, d), pos * d);
      this.values[l].set(matvec(b.wv, hn, d, d), pos * d);
      const att = attend(q, this.keys[l], this.values[l], pos + 1, d); // (d,)
      addScaled(x, matvec(b.wo, att, d, d), b.scale);
      const m = matvec(b.w1, rmsNorm(x), spec.hidden, d).map((v) => Math.max(0, v)); // (h,)
      addScaled(x, matvec(b.w2, m, d, spec.hidden), b.scale);
    });
    const logits = matvec(head, rmsNorm(x), spec.vocabSize, d); // (V,)
    const s = spec.logitScale ?? 1;
    for (let i = 0; i < logits.length; i++) logits[i] *= s;
    this.len = pos + 1;
    return logits;
  }
}

/** A TinyLm that also offers the argmax-only pass, as a GPU model would. */
export class TinyLmWithArgmax extends TinyLm {
  async forwardArgmax(tokens: ArrayLike<number>, startPosition: number, opts: { all?: boolean } = {}): Promise<Int32Array> {
    this.calls.forwardArgmax++;
    const logits = await super.forward(tokens, startPosition, opts);
    this.calls.forward--; // counted as an argmax pass, not a logits read-back
    const V = this.vocabSize;
    const rows = logits.length / V;
    this.calls.logitRowsReturned -= rows;
    return Int32Array.from({ length: rows }, (_, r) => {
      let best = 0;
      for (let i = 1; i < V; i++) if (logits[r * V + i] > logits[r * V + best]) best = i;
      return best;
    });
  }
}

function rmsNorm(x: Float64Array): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const inv = 1 / Math.sqrt(ss / x.length + 1e-6);
  return x.map((v) => v * inv);
}

/** W (rows, cols) @ x (cols,) → (rows,) */
function matvec(w: Float64Array, x: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c] * x[c];
    out[r] = s;
  }
  return out;
}

/** Softmax(q·K[0..n) / √d) @ V[0..n) → (d,) */
function attend(q: Float64Array, K: Float64Array, V: Float64Array, n: number, d: number): Float64Array {
  const scores = new Float64Array(n);
  let max = -Infinity;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += q[i] * K[j * d + i];
    scores[j] = s / Math.sqrt(d);
    max = Math.max(max, scores[j]);
  }
  let sum = 0;
  for (let j = 0; j < n; j++) sum += scores[j] = Math.exp(scores[j] - max);
  const out = new Float64Array(d);
  for (let j = 0; j < n; j++) for (let i = 0; i < d; i++) out[i] += (scores[j] / sum) * V[j * d + i];
  return out;
}

function addScaled(x: Float64Array, y: Float64Array, s: number) {
  for (let i = 0; i < x.length; i++) x[i] += s * y[i];
}
