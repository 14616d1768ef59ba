/**
 * From the public `drafting` / `speculative` options to the decoder's drafter and k policy.
 */
import { modelDrafter } from '../decode/draft-model';
import { noDrafting, type Drafter } from '../decode/drafter';
import { promptLookupDrafter } from '../decode/prompt-lookup';
import { InvalidArgumentError } from '../errors';
import type { LoadedPair } from './pair';
import type { Drafting } from './types';

const DRAFTINGS: readonly Drafting[] = ['model', 'prompt-lookup', 'auto', 'none'];

export interface DraftPlan {
  drafter: Drafter;
  /** undefined: the decoder's default (4 with a drafter). */
  k: number | 'auto' | undefined;
}

export function planDrafting(pair: LoadedPair, drafting: Drafting, speculative?: { k: number | 'auto' }): DraftPlan {
  if (!DRAFTINGS.includes(drafting)) {
    throw new InvalidArgumentError(`drafting must be one of ${DRAFTINGS.join(', ')}; got ${JSON.stringify(drafting)}`);
  }
  const k = speculative?.k;
  if (k !== undefined && k !== 'auto' && !(Number.isInteger(k) && k >= 0)) {
    throw new InvalidArgumentError(`speculative.k must be an integer >= 0 or 'auto'; got ${JSON.stringify(k)}`);
  }
  switch (drafting) {
    case 'none':
      return { drafter: noDrafting, k: 0 };
    case 'model':
      if (!pair.draft) throw new InvalidArgumentError("drafting 'model' needs a draft model: pass `draft` to load()");
      return { drafter: modelDrafter(pair.draft.model), k };
    case 'prompt-lookup':
      return { drafter: promptLookupDrafter(), k };
    case 'auto':
      return { drafter: pair.draft ? modelDrafter(pair.draft.model) : promptLookupDrafter(), k: k ?? 'auto' };
  }
}
