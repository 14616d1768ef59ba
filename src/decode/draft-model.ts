/**
 * Drafting with a small model of the target's family: k autoregressive passes over its own KV cache.
 */
import { pointMass, sample, type Distribution } from './distribution';
import type { Draft, Drafter } from './drafter';
import type { LanguageModel } from './language-model';
import { nextTokenDistributions } from './next-token';
import { isGreedy, usesHistory } from './sampling-settings';

/**
 * The draft's KV cache always holds a prefix of the committed context. Before drafting it processes
 * whatever committed tokens it has not seen yet: usually the one token the target emitted last step,
 * and two (the last draft token plus the bonus) after a step that accepted everything, since the last
 * proposal is drawn but never fed. A greedy draft through `draftGreedy` keeps the same invariant.
 */
export function modelDrafter(draft: LanguageModel): Drafter {
  return {
    source: 'draft',
    maxLength: draft.maxLength,
    async prepare(context) {
      draft.truncate(0);
      if (context.length <= 1) return;
      if (draft.forwardArgmax) await draft.forwardArgmax(context.slice(0, -1), 0); // logits unused
      else await draft.forward(context.slice(0, -1), 0);
    },
    async propose(context, k, settings, rng): Promise<Draft> {
      // Greedy without history: the model chains its k passes on the GPU (one host sync, not k).
      if (draft.draftGreedy && k > 0 && isGreedy(settings) && !usesHistory(settings)) {
        const start = Math.min(draft.length, context.length - 1);
        const tokens = Array.from(await draft.draftGreedy(context.slice(start), start, k));
        return { tokens, dists: tokens.map(pointMass) };
      }
      const seq = context.slice();
      const tokens: number[] = [];
      const dists: Distribution[] = [];
      for (let i = 0; i < k; i++) {
        const start = Math.min(draft.length, seq.length - 1);
        const [p] = await nextTokenDistributions(draft, seq, start, 1, settings); // p: draft prob
        const x = sample(p, rng);
        tokens.push(x);
        dists.push(p);
        seq.push(x);
      }
      return { tokens, dists };
    },
    rollback(length) {
      if (draft.length > length) draft.truncate(length);
    },
  };
}
