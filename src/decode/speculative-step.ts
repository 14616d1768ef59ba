/**
 * The speculative decoding step (Leviathan et al. 2023, "Fast Inference from Transformers via
 * Speculative Decoding"; Chen et al. 2023, "Accelerating LLM Decoding with Speculative Sampling").
 * Its output is distributed exactly as sampling token by token from the target.
 */
import { acceptProbability, residual, sample } from './distribution';
import { EMPTY_DRAFT, type Drafter, type Provenance } from './drafter';
import type { LanguageModel } from './language-model';
import { nextTokenDistributions } from './next-token';
import type { Rng } from './prng';
import type { SamplingSettings } from './sampling-settings';

export interface StepInput {
  target: LanguageModel; // KV cache holds context minus its last token
  drafter: Drafter; // noDrafting with k = 0 makes this a plain decoding step
  context: readonly number[]; // committed tokens: prompt + generated so far
  k: number; // tokens to draft
  settings: SamplingSettings;
  rng: Rng;
}

export interface StepOutput {
  tokens: number[]; // 1 .. k+1 new committed tokens
  provenance: Provenance[]; // (tokens.length,)
  drafted: number;
  accepted: number;
  draftMs: number;
  verifyMs: number;
}

export async function speculativeStep({ target, drafter, context, k, settings, rng }: StepInput): Promise<StepOutput> {
  // 1. Draft: x[i] ~ p[i] for i < n ≤ k (n < k when prompt lookup finds less).
  const t0 = performance.now();
  const { tokens: x, dists: p } = k > 0 ? await drafter.propose(context, k, settings, rng) : EMPTY_DRAFT;
  const n = x.length;
  const t1 = performance.now();

  // 2. Verify: ONE target pass over [last committed token, x[0], ..., x[n-1]] at positions
  //    [context.length − 1, context.length + n) gives q[0..n]: q[i] is the target's distribution
  //    for the token after context + x[0..i), through the same sampling transform as p.
  const start = Math.min(target.length, context.length - 1);
  const q = await nextTokenDistributions(target, [...context, ...x], start, n + 1, settings);
  const t2 = performance.now();

  // 3. Left to right, keep x[i] with probability min(1, q/p)  (q: target prob, p: draft prob).
  //    At the first rejection, draw from normalize(max(0, q − p)) instead and stop: accepted-or-
  //    resampled is then exactly q-distributed. Greedy: q and p are point masses, so this is
  //    "keep while the draft equals the target's argmax, then emit the argmax".
  const tokens: number[] = [];
  let next = -1;
  for (let i = 0; i < n; i++) {
    if (rng.next() < acceptProbability(q[i], p[i], x[i])) {
      tokens.push(x[i]);
      continue;
    }
    next = sample(residual(q[i], p[i]), rng);
    break;
  }
  const accepted = tokens.length;

  // 4. All n accepted: q[n] is already computed, so one more token comes free (the bonus).
  if (next < 0) next = sample(q[n], rng);
  tokens.push(next);

  // 5. Cut both KV caches back to the committed tokens, minus the newest one, which no model has
  //    seen yet: it is fed first next step. The target processed context + x[0..n), of which
  //    context + x[0..accepted) stays. The draft processed at most context + x[0..n−1) (its last
  //    proposal is never fed); when it lacks committed tokens it catches up before drafting.
  const committed = context.length + tokens.length;
  target.truncate(committed - 1);
  drafter.rollback(committed - 1);

  const provenance: Provenance[] = tokens.map((_, i) => (i < accepted ? drafter.source : 'target'));
  return { tokens, provenance, drafted: n, accepted, draftMs: t1 - t0, verifyMs: t2 - t1 };
}
