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

/**
 * Makes every pass take at least msPerPass + msPerToken × tokens, so tests of the auto policy see
 * chosen costs: GPU-like (a pass costs about the same for 1 or 8 tokens: reading the weights once
 * dominates) or compute-bound (cost proportional to tokens).
 */
export function withLatency(inner: LanguageModel, msPerPass: number, msPerToken = 0): LanguageModel {
  const pad = async <T>(tokens: number, run: () => Promise<T>): Promise<T> => {
    const until = performance.now() + msPerPass + msPerToken * tokens;
    const out = await run();
    while (performance.now() < until) {
      // busy-wait: timers are too coarse for a few milliseconds
    }
    return out;
  };
  const model: LanguageModel = {
    vocabSize: inner.vocabSize,
    maxLength: inner.maxLength,
    get length() {
      return inner.length;
    },
    truncate: (n) => inner.truncate(n),
    dispose: () => inner.dispose(),
    forward: (tokens, start, opts) => pad(tokens.length, () => inner.forward(tokens, start, opts)),
  };
  return model;
}
