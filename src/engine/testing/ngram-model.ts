/**
 * TEMPORARY test model: an n-gram language model on the CPU, behind the real `LanguageModel` contract.
 * It stands in for the transformer in engine/worker tests until the fixture pair and a CPU reference
 * transformer are wired in; it is never used by the default loader.
 *
 * Counts of (previous n−1 tokens → next token) over a short corpus, tokenized by the model's own
 * tokenizer, with add-β smoothing, so greedy decoding recites the corpus (multi-byte characters and
 * all) and sampling wanders. An order-3 target with an order-2 draft agree often but not always,
 * which gives speculative decoding real accepts and rejects.
 */
import { InvalidArgumentError } from '../../errors';
import type { LanguageModel } from '../../decode/language-model';

export const NGRAM_CORPUS =
  'once upon a time the cat sat on the mat. the cat said: hello world! ' +
  'the café sold crème brûlée for 5 € and tea for 3 €. 中文 text and emoji 😀 too. ' +
  'once upon a time the end.';

export interface NgramOptions {
  order: number; // tokens of context + 1 (2 = bigram)
  vocabSize: number;
  maxLength: number;
  /** Smoothing mass added to every token, so every id has a finite logit. */
  beta?: number;
}

export class NgramModel implements LanguageModel {
  readonly vocabSize: number;
  readonly maxLength: number;
  private readonly order: number;
  private readonly beta: number;
  private readonly counts = new Map<string, Map<number, number>>(); // context key → next id → count
  private history: number[] = []; // the "KV cache": tokens seen so far
  private disposed = false;

  constructor(corpus: readonly number[], opts: NgramOptions) {
    this.vocabSize = opts.vocabSize;
    this.maxLength = opts.maxLength;
    this.order = opts.order;
    this.beta = opts.beta ?? 0.01;
    for (let i = 0; i < corpus.length; i++) {
      for (let n = 0; n < this.order; n++) {
        if (i - n < 0) break;
        const key = corpus.slice(i - n, i).join(',');
        const next = this.counts.get(key) ?? new Map<number, number>();
        next.set(corpus[i], (next.get(corpus[i]) ?? 0) + 1);
        this.counts.set(key, next);
      }
    }
  }

  get length(): number {
    return this.history.length;
  }

  async forward(tokens: ArrayLike<number>, startPosition: number, opts: { all?: boolean } = {}): Promise<Float32Array> {
    if (this.disposed) throw new InvalidArgumentError('NgramModel: used after dispose()');
    if (startPosition > this.history.length) {
      throw new InvalidArgumentError(`NgramModel: startPosition ${startPosition} is past the cache (${this.history.length} tokens)`);
    }
    if (startPosition + tokens.length > this.maxLength) {
      throw new InvalidArgumentError(`NgramModel: ${startPosition + tokens.length} tokens exceed maxLength ${this.maxLength}`, 'context-length');
    }
    this.history.length = startPosition;
    const rows = opts.all ? tokens.length : 1;
    const logits = new Float32Array(rows * this.vocabSize); // (rows, vocabSize)
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (!Number.isInteger(t) || t < 0 || t >= this.vocabSize) {
        throw new InvalidArgumentError(`NgramModel: token ${t} outside the vocabulary [0, ${this.vocabSize})`);
      }
      this.history.push(t);
      const row = opts.all ? i : i === tokens.length - 1 ? 0 : -1;
      if (row >= 0) this.fillLogits(logits.subarray(row * this.vocabSize, (row + 1) * this.vocabSize));
    }
    return logits;
  }

  truncate(length: number): void {
    if (length < this.history.length) this.history.length = length;
  }

  dispose(): void {
    this.disposed = true;
    this.history = [];
  }

  /** Log-probabilities of the next token after `history`, backing off to shorter contexts. */
  private fillLogits(out: Float32Array): void {
    out.fill(Math.log(this.beta));
    for (let n = Math.min(this.order - 1, this.history.length); n >= 0; n--) {
      const next = this.counts.get(this.history.slice(this.history.length - n).join(','));
      if (!next) continue;
      let total = 0;
      for (const c of next.values()) total += c;
      for (const [id, c] of next) out[id] = Math.log(this.beta + (c / total) * 10);
      return;
    }
  }
}
