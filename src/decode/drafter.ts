/**
 * What a drafting strategy provides to the speculative step: up to k proposed tokens, each with the
 * distribution p it was drawn from, so the target can accept it with probability min(1, q/p).
 */
import type { Distribution } from './distribution';
import type { Rng } from './prng';
import type { SamplingSettings } from './sampling-settings';

/** Where an emitted token came from: an accepted draft-model token, an accepted prompt-lookup token, or the target. */
export type Provenance = 'draft' | 'lookup' | 'target';

export interface Draft {
  tokens: number[]; // (n,) proposed ids, n ≤ k
  dists: Distribution[]; // (n,) dists[i] is the distribution tokens[i] was drawn from (p)
}

export interface Drafter {
  /** Provenance of this drafter's tokens once accepted. */
  readonly source: Exclude<Provenance, 'target'>;
  /** Longest context the drafter can handle (a draft model's KV cache), Infinity if unbounded. */
  readonly maxLength: number;
  /** Called once with the prompt before the first step (a draft model prefills here). */
  prepare(context: readonly number[]): Promise<void>;
  /**
   * Proposes up to k tokens continuing `context` (prompt + everything committed so far).
   * May propose fewer, or none, when it has nothing to offer.
   */
  propose(context: readonly number[], k: number, settings: SamplingSettings, rng: Rng): Promise<Draft>;
  /** The step committed tokens up to `length`: forget any state beyond it (a draft model cuts its KV cache). */
  rollback(length: number): void;
}

export const EMPTY_DRAFT: Draft = { tokens: [], dists: [] };

/** No speculation: every step is one plain target forward. */
export const noDrafting: Drafter = {
  source: 'draft',
  maxLength: Infinity,
  prepare: async () => {},
  propose: async () => EMPTY_DRAFT,
  rollback: () => {},
};
