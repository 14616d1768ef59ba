/**
 * TEMPORARY test loader: a PairLoader over the n-gram model (ngram-model.ts) and the handmade tokenizers
 * (src/tokenizer/testing), so the engine, worker bridge and builds are tested before the real loader
 * and GPU transformer are wired in. Targets are named `test:<tokenizer>[?delay=<ms>]`:
 *   test:llama          byte-fallback BPE tokenizer     test:byte-level   GPT-2-style byte-level BPE
 *   delay=<ms>          each forward pass takes at least this long (stands in for GPU time)
 * A draft (any `test:` name) is an order-4 model over the same corpus: it agrees with the order-8
 * target often, not always.
 */
import { InvalidArgumentError } from '../../errors';
import type { LanguageModel } from '../../decode/language-model';
import { byteLevelTokenizer, llamaTokenizer } from '../../tokenizer/testing/tiny-tokenizer';
import { TextTokenizer } from '../../tokenizer/tokenizer';
import type { LoadedPair, PairLoader } from '../pair';
import { NGRAM_CORPUS, NgramModel } from './ngram-model';

const TOKENIZERS = { llama: llamaTokenizer, 'byte-level': byteLevelTokenizer } as const;

export interface NgramLoaderOptions {
  maxLength?: number;
}

function parseTarget(spec: unknown): { tokenizer: keyof typeof TOKENIZERS; delayMs: number } {
  const url = typeof spec === 'string' && spec.startsWith('test:') ? new URL(spec) : undefined;
  const name = url?.pathname as keyof typeof TOKENIZERS | undefined;
  if (!url || !name || !(name in TOKENIZERS)) {
    throw new InvalidArgumentError(`test loader: target must be test:llama or test:byte-level, got ${String(spec)}`);
  }
  return { tokenizer: name, delayMs: Number(url.searchParams.get('delay') ?? 0) };
}

/** Wraps a model so that every forward pass takes at least `ms`. */
function slowed(model: LanguageModel, ms: number): LanguageModel {
  if (ms <= 0) return model;
  return {
    get vocabSize() { return model.vocabSize; },
    get length() { return model.length; },
    get maxLength() { return model.maxLength; },
    async forward(tokens, start, opts) {
      const [logits] = await Promise.all([model.forward(tokens, start, opts), new Promise((r) => setTimeout(r, ms))]);
      return logits;
    },
    truncate: (n) => model.truncate(n),
    dispose: () => model.dispose(),
  };
}

export function ngramLoader({ maxLength = 256 }: NgramLoaderOptions = {}): PairLoader {
  return async (options): Promise<LoadedPair> => {
    const { tokenizer: which, delayMs } = parseTarget(options.target);
    const tokenizer = new TextTokenizer(TOKENIZERS[which]());
    const corpus = [...tokenizer.encodePrompt(NGRAM_CORPUS), tokenizer.eosTokenIds[0]]; // ends in EOS
    const make = (order: number) =>
      slowed(new NgramModel(corpus, { order, vocabSize: tokenizer.vocabSize, maxLength }), delayMs);
    const target = make(8);
    const draft = options.draft === undefined ? undefined : (parseTarget(options.draft), make(4));
    return {
      tokenizer,
      device: 'cpu',
      target: { name: String(options.target), model: target },
      draft: draft && { name: String(options.draft), model: draft },
      dispose() {
        target.dispose();
        draft?.dispose();
      },
    };
  };
}
