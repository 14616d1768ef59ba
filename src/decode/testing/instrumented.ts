/**
 * Wraps a LanguageModel to count what the decoder asks of it, optionally adding the argmax-only pass
 * (computed on the CPU from the full logits, as a stand-in for a GPU argmax).
 */
import type { LanguageModel } from '../language-model';

export interface Calls {
  forward: number; // passes that returned logits
  forwardArgmax: number; // passes that returned ids only
  positions: number; // tokens processed
  logitRowsReturned: number; // (vocab,) rows read back
}

export type Instrumented = LanguageModel & { readonly calls: Calls; readonly inner: LanguageModel };

export function instrument(inner: LanguageModel, { argmax = false } = {}): Instrumented {
  const calls: Calls = { forward: 0, forwardArgmax: 0, positions: 0, logitRowsReturned: 0 };
  const V = inner.vocabSize;
  const model: Instrumented = {
    inner,
    calls,
    vocabSize: V,
    maxLength: inner.maxLength,
    get length() {
      return inner.length;
    },
    truncate: (n) => inner.truncate(n),
    dispose: () => inner.dispose(),
    async forward(tokens, start, opts) {
      calls.forward++;
      calls.positions += tokens.length;
      const logits = await inner.forward(tokens, start, opts);
      calls.logitRowsReturned += logits.length / V;
      return logits;
    },
  };
  if (argmax) {
    model.forwardArgmax = async (tokens, start, opts) => {
      calls.forwardArgmax++;
      calls.positions += tokens.length;
      const logits = await inner.forward(tokens, start, opts); // (rows, V)
      return Int32Array.from({ length: logits.length / V }, (_, r) => {
        let best = 0;
        for (let i = 1; i < V; i++) if (logits[r * V + i] > logits[r * V + best]) best = i;
        return best;
      });
    };
  }
  return model;
}
