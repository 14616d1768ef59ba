/**
 * Prompt lookup drafting: if the last n tokens occurred earlier in the context, propose what followed
 * them. No second model; pays off when the output copies the input (summaries, edits, code).
 *
 * Proposals are deterministic, so the draft distribution is a point mass p = δ(x): the step accepts x
 * with probability q(x) and otherwise samples q with x removed, which is plain sampling from q.
 */
import { pointMass } from './distribution';
import { EMPTY_DRAFT, type Draft, type Drafter } from './drafter';

export interface PromptLookupOptions {
  /** Longest suffix to match, tried first. */
  maxNgram?: number;
  /** Shortest suffix to match. */
  minNgram?: number;
}

export function promptLookupDrafter({ maxNgram = 3, minNgram = 1 }: PromptLookupOptions = {}): Drafter {
  return {
    source: 'lookup',
    maxLength: Infinity,
    prepare: async () => {},
    propose: async (context, k) => lookupContinuation(context, k, maxNgram, minNgram),
    rollback: () => {},
  };
}

/**
 * The continuation of the latest earlier occurrence of the context's last n tokens, for the longest
 * n in [minNgram, maxNgram] that occurs. Past the end of the context the copy continues from its own
 * proposals, so a repeating pattern is proposed in full.
 */
export function lookupContinuation(context: readonly number[], k: number, maxNgram: number, minNgram: number): Draft {
  const L = context.length;
  for (let n = Math.min(maxNgram, L - 1); n >= minNgram && k > 0; n--) {
    const from = latestEarlierOccurrence(context, n);
    if (from < 0) continue;
    const tokens: number[] = [];
    for (let j = 0; j < k; j++) {
      const pos = from + n + j;
      tokens.push(pos < L ? context[pos] : tokens[pos - L]);
    }
    return { tokens, dists: tokens.map(pointMass) };
  }
  return EMPTY_DRAFT;
}

/** Start of the latest i < L − n with context[i, i+n) = context[L−n, L); −1 if none. */
function latestEarlierOccurrence(context: readonly number[], n: number): number {
  const L = context.length;
  outer: for (let i = L - n - 1; i >= 0; i--) {
    for (let j = n - 1; j >= 0; j--) if (context[i + j] !== context[L - n + j]) continue outer;
    return i;
  }
  return -1;
}
