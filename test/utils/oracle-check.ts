/**
 * Compares any LanguageModel (CPU reference, WebGPU Transformer) with llama.cpp's results for the same prompt:
 * the largest |p_ours - p_llama| over every prompt position and vocabulary entry, and our greedy continuation.
 */
import type { LanguageModel } from '../../src/decode/language-model';
import { argmax, softmax } from '../../src/model/reference-ops';
import type { OracleResult } from './llama-oracle';

export interface OracleComparison {
  /** max |Δp| over positions and tokens, and where. */
  maxDp: number;
  at: { position: number; token: number; ours: number; llama: number };
  /** Our greedy continuation (same length as the oracle's). */
  greedy: number[];
  /** All-position logits of the prompt: (prompt.length, vocab). */
  logits: Float32Array;
}

export async function greedyContinue(lm: LanguageModel, lastLogits: Float32Array, start: number, n: number): Promise<number[]> {
  const out: number[] = [];
  let logits = lastLogits;
  for (let i = 0; i < n; i++) {
    const t = argmax(logits);
    out.push(t);
    if (i < n - 1) logits = await lm.forward([t], start + i);
  }
  return out;
}

export async function compareWithOracle(lm: LanguageModel, prompt: number[], oracle: OracleResult): Promise<OracleComparison> {
  const V = lm.vocabSize;
  const logits = await lm.forward(prompt, 0, { all: true });
  let maxDp = 0;
  let at = { position: -1, token: -1, ours: 0, llama: 0 };
  for (let i = 0; i < prompt.length; i++) {
    const p = softmax(logits.subarray(i * V, (i + 1) * V));
    const q = oracle.probs[i];
    for (let t = 0; t < V; t++) {
      const d = Math.abs(p[t] - q[t]);
      if (!(d <= maxDp)) {
        maxDp = d;
        at = { position: i, token: t, ours: p[t], llama: q[t] };
      }
    }
  }
  const greedy = await greedyContinue(lm, logits.slice((prompt.length - 1) * V), prompt.length, oracle.greedy.length);
  return { maxDp, at, greedy, logits };
}
