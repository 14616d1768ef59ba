/**
 * The one logits → next-token distribution transform. The plain path, the draft model and the
 * target's verification all call it, so "lossless" means: the speculative output is distributed as
 * plain sampling through this function.
 *
 * Order (as Hugging Face's generation warpers): repetition penalty → temperature → top-k → softmax
 * → top-p → min-p → renormalize. Temperature 0 (or top-k 1) gives a point mass on the argmax of the
 * penalised logits, lowest id on ties.
 */
import { ForesightError } from '../errors';
import { argmax, type Distribution } from './distribution';
import { isGreedy, usesHistory, type SamplingSettings } from './sampling-settings';

/**
 * logits: (vocab,) one position's raw logits (a view into a (n, vocab) block is fine).
 * history: the tokens before this position (prompt + generated + drafted); only its last
 * `repetitionWindow` entries are read, and only when a repetition penalty is set.
 */
export function toProbabilities(
  logits: ArrayLike<number>,
  settings: SamplingSettings,
  history: ArrayLike<number> = [],
): Distribution {
  const z = Float64Array.from(logits); // (vocab,) working logits
  if (usesHistory(settings)) applyRepetitionPenalty(z, settings, history);
  if (isGreedy(settings)) return { kind: 'point', token: argmax(z) };

  const invT = 1 / settings.temperature;
  for (let i = 0; i < z.length; i++) z[i] *= invT;
  if (settings.topK > 0 && settings.topK < z.length) keepTopK(z, settings.topK);

  const probs = softmax(z);
  if (settings.topP < 1) keepTopP(probs, settings.topP);
  if (settings.minP > 0) keepMinP(probs, settings.minP);
  normalize(probs);
  return { kind: 'dense', probs };
}

/** CTRL-style: a seen token's positive logit is divided by the penalty, a negative one multiplied. */
function applyRepetitionPenalty(z: Float64Array, s: SamplingSettings, history: ArrayLike<number>) {
  const seen = new Set<number>();
  for (let i = Math.max(0, history.length - s.repetitionWindow); i < history.length; i++) seen.add(history[i]);
  for (const t of seen) {
    if (t < 0 || t >= z.length) continue;
    z[t] = z[t] > 0 ? z[t] / s.repetitionPenalty : z[t] * s.repetitionPenalty;
  }
}

/** Sets all but the k largest logits to -Infinity; ties broken towards the lower id. */
function keepTopK(z: Float64Array, k: number) {
  const keep = largestIndices(z, k);
  const kept = new Float64Array(z.length).fill(-Infinity);
  for (const i of keep) kept[i] = z[i];
  z.set(kept);
}

/** The k indices with the largest values, by (value desc, index asc). */
function largestIndices(v: Float64Array, k: number): Int32Array {
  if (k > 256) {
    const idx = Int32Array.from(v.keys());
    return idx.sort((a, b) => v[b] - v[a] || a - b).subarray(0, k);
  }
  // insertion into a short sorted buffer: O(vocab) comparisons against its smallest entry
  const buf = new Int32Array(k); // indices, best first
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!(x > -Infinity)) continue;
    if (n === k && !(x > v[buf[n - 1]])) continue;
    let j = n === k ? k - 1 : n++;
    while (j > 0 && x > v[buf[j - 1]]) {
      buf[j] = buf[j - 1];
      j--;
    }
    buf[j] = i;
  }
  return buf.subarray(0, n);
}

/** (vocab,) logits → probabilities; -Infinity → 0. */
function softmax(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i] > max) max = z[i];
  if (!(max > -Infinity) || !Number.isFinite(max)) {
    throw new ForesightError('internal', `cannot turn logits into probabilities: largest logit is ${max}`);
  }
  const p = new Float64Array(z.length);
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    const e = Math.exp(z[i] - max);
    p[i] = e;
    sum += e;
  }
  for (let i = 0; i < z.length; i++) p[i] /= sum;
  return p;
}

/**
 * Keeps the smallest prefix of tokens, by (probability desc, id asc), whose mass reaches topP.
 * Sorting all of a 150k vocabulary costs tens of ms, so tokens are first bucketed by powers of two:
 * the buckets above the one where the running mass reaches topP hold the whole prefix, and only
 * they are sorted.
 */
function keepTopP(p: Float64Array, topP: number) {
  const buckets = new Float64Array(1100); // mass of tokens with floor(-log2 p) = b
  for (let i = 0; i < p.length; i++) if (p[i] > 0) buckets[bucketOf(p[i])] += p[i];
  let cutoff = 0;
  for (let mass = 0; cutoff < buckets.length; cutoff++) {
    mass += buckets[cutoff];
    if (mass >= topP) break;
  }
  const candidates: number[] = [];
  for (let i = 0; i < p.length; i++) if (p[i] > 0 && bucketOf(p[i]) <= cutoff) candidates.push(i);
  candidates.sort((a, b) => p[b] - p[a] || a - b);
  let mass = 0;
  let n = 0;
  while (n < candidates.length && mass < topP) mass += p[candidates[n++]];
  const keep = new Uint8Array(p.length);
  for (let j = 0; j < n; j++) keep[candidates[j]] = 1;
  for (let i = 0; i < p.length; i++) if (!keep[i]) p[i] = 0;
}

const bucketOf = (x: number) => Math.min(1099, Math.floor(-Math.log2(x)));

/** Drops tokens below minP × the largest probability. */
function keepMinP(p: Float64Array, minP: number) {
  let max = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > max) max = p[i];
  const floor = minP * max;
  for (let i = 0; i < p.length; i++) if (p[i] < floor) p[i] = 0;
}

function normalize(p: Float64Array) {
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += p[i];
  for (let i = 0; i < p.length; i++) p[i] /= sum;
}
