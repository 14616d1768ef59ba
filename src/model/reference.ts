/**
 * CPU reference transformer: Llama / Qwen2 / Qwen3 in plain TypeScript f32, driven by ModelConfig alone.
 * A second opinion for tests (against llama.cpp and the WebGPU Transformer) and a LanguageModel for the
 * decoding tests. Tokens are processed one at a time; the KV cache can be cut back (speculative rejection).
 *
 * Per layer, for a token at position p (x: hidden (H,)):
 *   h = rmsnorm(x) ; q = Wq h (+bq) (nh*hd) ; k = Wk h (+bk), v = Wv h (+bv) (nkv*hd)
 *   [qwen3] q, k = rmsnorm per head ; q, k = rope(q, k, p) (HF rotate_half)
 *   attention: head j reads kv head floor(j / (nh/nkv)); softmax(q.k / sqrt(hd)) over positions <= p
 *   x += Wo attn ; x += Wdown (silu(Wgate rmsnorm(x)) * Wup rmsnorm(x))
 * logits = Wlm rmsnorm(x), Wlm = embeddings when tied.
 */
import { InvalidArgumentError } from '../errors';
import type { LanguageModel } from '../decode/language-model';
import type { ModelConfig } from './config';
import { applyRope, matvec, rmsNorm, swiglu } from './reference-ops';
import { ropeInverseFrequencies } from './reference-rope';
import type { ModelWeights } from './weights';

interface LayerWeights {
  inputNorm: Float32Array; // (H)
  wq: Float32Array; // (nh*hd, H)
  wk: Float32Array; // (nkv*hd, H)
  wv: Float32Array; // (nkv*hd, H)
  wo: Float32Array; // (H, nh*hd)
  bq?: Float32Array; // (nh*hd)
  bk?: Float32Array; // (nkv*hd)
  bv?: Float32Array; // (nkv*hd)
  qNorm?: Float32Array; // (hd)
  kNorm?: Float32Array; // (hd)
  postNorm: Float32Array; // (H)
  wGate: Float32Array; // (I, H)
  wUp: Float32Array; // (I, H)
  wDown: Float32Array; // (H, I)
}

/** Called with intermediate activations, to find where two implementations start to diverge. */
export type ActivationTrace = (name: string, position: number, values: Float32Array) => void;

export interface ReferenceOptions {
  /** KV cache capacity; defaults to min(config.maxPositionEmbeddings, 2048). */
  maxLength?: number;
  trace?: ActivationTrace;
}

export class ReferenceModel implements LanguageModel {
  readonly vocabSize: number;
  readonly maxLength: number;
  private len = 0;
  private disposed = false;
  private readonly invFreq: Float64Array;
  private readonly kCache: Float32Array[]; // per layer (maxLength, nkv*hd)
  private readonly vCache: Float32Array[]; // per layer (maxLength, nkv*hd)
  private readonly trace?: ActivationTrace;

  private constructor(
    readonly config: ModelConfig,
    private readonly embed: Float32Array, // (V, H)
    private readonly layers: LayerWeights[],
    private readonly finalNorm: Float32Array, // (H)
    private readonly lmHead: Float32Array, // (V, H)
    opts: ReferenceOptions,
  ) {
    this.vocabSize = config.vocabSize;
    this.maxLength = opts.maxLength ?? Math.min(config.maxPositionEmbeddings, 2048);
    this.invFreq = ropeInverseFrequencies(config);
    const kvWidth = config.numKvHeads * config.headDim;
    this.kCache = layers.map(() => new Float32Array(this.maxLength * kvWidth));
    this.vCache = layers.map(() => new Float32Array(this.maxLength * kvWidth));
    this.trace = opts.trace;
  }

  /** Reads every tensor (as f32) from `weights`. */
  static async load(weights: ModelWeights, opts: ReferenceOptions = {}): Promise<ReferenceModel> {
    const c = weights.config;
    const read = (n: string) => weights.readF32(n);
    const layers: LayerWeights[] = [];
    for (let i = 0; i < c.numLayers; i++) {
      const p = `model.layers.${i}.`;
      layers.push({
        inputNorm: await read(p + 'input_layernorm.weight'),
        wq: await read(p + 'self_attn.q_proj.weight'),
        wk: await read(p + 'self_attn.k_proj.weight'),
        wv: await read(p + 'self_attn.v_proj.weight'),
        wo: await read(p + 'self_attn.o_proj.weight'),
        ...(c.attentionBias
          ? { bq: await read(p + 'self_attn.q_proj.bias'), bk: await read(p + 'self_attn.k_proj.bias'), bv: await read(p + 'self_attn.v_proj.bias') }
          : {}),
        ...(c.qkNorm ? { qNorm: await read(p + 'self_attn.q_norm.weight'), kNorm: await read(p + 'self_attn.k_norm.weight') } : {}),
        postNorm: await read(p + 'post_attention_layernorm.weight'),
        wGate: await read(p + 'mlp.gate_proj.weight'),
        wUp: await read(p + 'mlp.up_proj.weight'),
        wDown: await read(p + 'mlp.down_proj.weight'),
      });
    }
    const embed = await read('model.embed_tokens.weight');
    const lmHead = c.tieWordEmbeddings ? embed : await read('lm_head.weight');
    return new ReferenceModel(c, embed, layers, await read('model.norm.weight'), lmHead, opts);
  }

  get length(): number {
    return this.len;
  }

  truncate(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.len) {
      throw new InvalidArgumentError(`truncate(${length}): the cache holds ${this.len} tokens`);
    }
    this.len = length;
  }

  dispose(): void {
    this.disposed = true;
  }

  async forward(tokens: ArrayLike<number>, startPosition: number, opts: { all?: boolean } = {}): Promise<Float32Array> {
    if (this.disposed) throw new InvalidArgumentError('forward() on a disposed model');
    if (tokens.length === 0) throw new InvalidArgumentError('forward() needs at least one token');
    this.truncate(startPosition);
    if (startPosition + tokens.length > this.maxLength) {
      throw new InvalidArgumentError(`${startPosition + tokens.length} tokens exceed the KV cache (${this.maxLength})`, 'context-length');
    }
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (!Number.isInteger(t) || t < 0 || t >= this.vocabSize) {
        throw new InvalidArgumentError(`token ${t} at index ${i} is outside the vocabulary (0..${this.vocabSize - 1})`);
      }
    }
    const V = this.vocabSize;
    const out = new Float32Array((opts.all ? tokens.length : 1) * V);
    for (let i = 0; i < tokens.length; i++) {
      const last = i === tokens.length - 1;
      const logits = this.step(tokens[i], startPosition + i, opts.all || last);
      if (logits) out.set(logits, opts.all ? i * V : 0);
    }
    return out;
  }

  /** One token through every layer at `pos`; returns logits (V) when asked. */
  private step(token: number, pos: number, wantLogits: boolean): Float32Array | undefined {
    const c = this.config;
    const H = c.hiddenSize, hd = c.headDim, nh = c.numHeads, nkv = c.numKvHeads, I = c.intermediateSize;
    const kvw = nkv * hd;
    const group = nh / nkv;
    const x = this.embed.slice(token * H, (token + 1) * H); // (H)
    const h = new Float32Array(H);
    const q = new Float32Array(nh * hd);
    const attn = new Float32Array(nh * hd);
    const proj = new Float32Array(H);
    const gate = new Float32Array(I);
    const up = new Float32Array(I);
    const scores = new Float64Array(pos + 1);
    this.trace?.('embed', pos, x);

    for (let l = 0; l < this.layers.length; l++) {
      const L = this.layers[l];
      const k = this.kCache[l].subarray(pos * kvw, (pos + 1) * kvw); // (nkv*hd)
      const v = this.vCache[l].subarray(pos * kvw, (pos + 1) * kvw);
      rmsNorm(h, x, L.inputNorm, c.rmsNormEps);
      matvec(q, L.wq, h, nh * hd, H, L.bq);
      matvec(k, L.wk, h, kvw, H, L.bk);
      matvec(v, L.wv, h, kvw, H, L.bv);
      if (L.qNorm && L.kNorm) {
        rmsNorm(q, q, L.qNorm, c.rmsNormEps, hd, nh);
        rmsNorm(k, k, L.kNorm, c.rmsNormEps, hd, nkv);
      }
      applyRope(q, nh, hd, pos, this.invFreq);
      applyRope(k, nkv, hd, pos, this.invFreq);

      const scale = 1 / Math.sqrt(hd);
      const K = this.kCache[l], Vc = this.vCache[l];
      for (let j = 0; j < nh; j++) {
        const kvOff = Math.floor(j / group) * hd;
        let max = -Infinity;
        for (let t = 0; t <= pos; t++) {
          let dot = 0;
          for (let d = 0; d < hd; d++) dot += q[j * hd + d] * K[t * kvw + kvOff + d];
          scores[t] = dot * scale;
          max = Math.max(max, scores[t]);
        }
        let sum = 0;
        for (let t = 0; t <= pos; t++) sum += scores[t] = Math.exp(scores[t] - max);
        for (let d = 0; d < hd; d++) {
          let acc = 0;
          for (let t = 0; t <= pos; t++) acc += scores[t] * Vc[t * kvw + kvOff + d];
          attn[j * hd + d] = acc / sum;
        }
      }
      matvec(proj, L.wo, attn, H, nh * hd);
      for (let i = 0; i < H; i++) x[i] += proj[i];
      this.trace?.(`layers.${l}.attn_out`, pos, x);

      rmsNorm(h, x, L.postNorm, c.rmsNormEps);
      matvec(gate, L.wGate, h, I, H);
      matvec(up, L.wUp, h, I, H);
      swiglu(gate, up);
      matvec(proj, L.wDown, gate, H, I);
      for (let i = 0; i < H; i++) x[i] += proj[i];
      this.trace?.(`layers.${l}.out`, pos, x);
    }
    this.len = pos + 1;
    if (!wantLogits) return undefined;
    rmsNorm(h, x, this.finalNorm, c.rmsNormEps);
    const logits = new Float32Array(this.vocabSize);
    matvec(logits, this.lmHead, h, this.vocabSize, H);
    return logits;
  }
}
