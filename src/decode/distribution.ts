/**
 * Next-token distributions and the three operations speculative sampling needs on them:
 * the probability of a token, a draw, and the residual normalize(max(0, q − p)).
 * A point mass is kept as a token id, so greedy decoding and prompt lookup never allocate a
 * vocabulary-sized vector.
 */
import { ForesightError } from '../errors';
import type { Rng } from './prng';

export type Distribution =
  | { readonly kind: 'point'; readonly token: number } // all mass on one token (greedy, prompt lookup)
  | { readonly kind: 'dense'; readonly probs: Float64Array }; // (vocab,) non-negative, sums to 1

export const pointMass = (token: number): Distribution => ({ kind: 'point', token });

export function probability(d: Distribution, token: number): number {
  return d.kind === 'point' ? (d.token === token ? 1 : 0) : d.probs[token];
}

/** The most likely token (lowest id on ties). */
export function mode(d: Distribution): number {
  return d.kind === 'point' ? d.token : argmax(d.probs);
}

/** Draws one token by inverse CDF with one uniform number. Point masses consume no randomness. */
export function sample(d: Distribution, rng: Rng): number {
  if (d.kind === 'point') return d.token;
  const probs = d.probs;
  let total = 0;
  for (let i = 0; i < probs.length; i++) total += probs[i];
  const r = rng.next() * total;
  let cum = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] <= 0) continue;
    cum += probs[i];
    last = i;
    if (r < cum) return i;
  }
  if (last < 0) throw new ForesightError('internal', 'cannot sample from a distribution with no mass');
  return last; // r landed in the rounding gap at the very top
}

/**
 * min(1, q(x) / p(x)): the chance of keeping draft token x, drawn from p, when the target says q.
 * x was drawn from p, so p(x) > 0; a zero means the drafter reported the wrong distribution.
 */
export function acceptProbability(q: Distribution, p: Distribution, x: number): number {
  const px = probability(p, x);
  if (!(px > 0)) throw new ForesightError('internal', `draft proposed token ${x} to which its own distribution gives probability ${px}`);
  return Math.min(1, probability(q, x) / px);
}

/**
 * normalize(max(0, q − p)): where the target's mass exceeds the draft's. Sampling from it after a
 * rejection makes the emitted token exactly q-distributed. If q ≤ p everywhere (only when q = p, in
 * which case nothing is ever rejected) it falls back to q.
 */
export function residual(q: Distribution, p: Distribution): Distribution {
  // q is a point mass at t: max(0, q − p) is (1 − p(t)) at t and 0 elsewhere.
  if (q.kind === 'point') return q;
  const r = new Float64Array(q.probs.length);
  let total = 0;
  for (let i = 0; i < r.length; i++) {
    const v = q.probs[i] - probability(p, i);
    if (v > 0) {
      r[i] = v;
      total += v;
    }
  }
  if (!(total > 0)) return q;
  for (let i = 0; i < r.length; i++) r[i] /= total;
  return { kind: 'dense', probs: r };
}

/** Index of the largest value; lowest index on ties; NaN never wins. */
export function argmax(values: ArrayLike<number>, start = 0, end = values.length): number {
  let best = start;
  let bestValue = -Infinity;
  for (let i = start; i < end; i++) {
    if (values[i] > bestValue) {
      bestValue = values[i];
      best = i;
    }
  }
  return best - start;
}
