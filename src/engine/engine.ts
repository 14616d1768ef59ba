/**
 * The in-process engine: one model pair, generations taking turns on it. Node uses it directly; in the
 * browser the worker hosts one and the page talks to it through src/client (same API).
 *
 * Queueing: a generate() started while another runs waits for it (FIFO) and then runs; both complete.
 * A generation holds the engine from its first `next()` until it finishes, is `break`-ed out of,
 * or is aborted, so do not leave a started generator unread while waiting on another one.
 * load() and unload() take their turn in the same queue.
 */
import { AbortError, InvalidArgumentError } from '../errors';
import { createChatCompletions, type ChatCompletions } from './chat-completions';
import { emptyStats, runGeneration, type EndCause, type GenerationControl } from './generation';
import { defaultDrafting, type LoadedPair, type PairLoader } from './pair';
import { TurnQueue } from './turns';
import type { Drafting, GenerateChunk, GenerateOptions, GenerateResult, LoadOptions, ModelInfo } from './types';
import { collectGeneration } from './collect';

export class Engine {
  readonly chat: { completions: ChatCompletions };
  private pair: LoadedPair | undefined;
  private drafting: Drafting = 'none';
  private readonly turns = new TurnQueue();
  /** Aborted by dispose(): ends the generation or load in progress. */
  private readonly lifetime = new AbortController();
  /** The decoding step in flight, if any: dispose() lets it finish before freeing the models. */
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(private readonly loader: PairLoader) {
    this.chat = { completions: createChatCompletions((options) => this.generate(options), () => this.info()?.target) };
  }

  get disposed(): boolean {
    return this.lifetime.signal.aborted;
  }

  /** Loads a target (and optionally a draft); replaces any model loaded before. */
  async load(options: LoadOptions): Promise<ModelInfo> {
    const release = await this.turn();
    try {
      this.freePair();
      const pair = await this.loader(options, { onProgress: options.onProgress, signal: this.lifetime.signal });
      if (this.disposed) {
        pair.dispose();
        throw new AbortError('the engine was disposed during load()', 'disposed');
      }
      this.pair = pair;
      this.drafting = defaultDrafting(pair, options.drafting);
      return this.info() as ModelInfo;
    } finally {
      release();
    }
  }

  /** What is loaded, or undefined. */
  info(): ModelInfo | undefined {
    const pair = this.pair;
    if (!pair) return undefined;
    return {
      target: pair.target.name,
      draft: pair.draft?.name,
      device: pair.device,
      vocabSize: pair.target.model.vocabSize,
      contextLength: Math.min(pair.target.model.maxLength, pair.draft?.model.maxLength ?? Infinity),
      drafting: this.drafting,
      hasChatTemplate: pair.tokenizer.chatTemplate !== undefined,
      eosTokenIds: [...pair.tokenizer.eosTokenIds],
    };
  }

  /** Token ids of `text` under the loaded model's rules (a BOS token where the model asks for one). */
  tokenize(text: string): number[] {
    return this.requirePair().tokenizer.encodePrompt(text);
  }

  /** Text of `ids` (special tokens such as EOS left out). */
  detokenize(ids: readonly number[]): string {
    return this.requirePair().tokenizer.decode(ids, { skipSpecialTokens: true });
  }

  /** Streams a generation. See GenerateOptions; errors are typed (ForesightError subclasses). */
  async *generate(options: GenerateOptions): AsyncGenerator<GenerateChunk, void, undefined> {
    const control = new AbortController();
    const endWith = (cause: EndCause) => control.abort(cause);
    const onUserAbort = () => endWith('abort');
    const onDispose = () => endWith('disposed');
    options.signal?.addEventListener('abort', onUserAbort, { once: true });
    this.lifetime.signal.addEventListener('abort', onDispose, { once: true });
    let release: (() => void) | undefined;
    try {
      try {
        release = await this.turn(options.signal);
      } catch (err) {
        // Aborted while queued: nothing ran; end like any aborted generation.
        if (err instanceof AbortError && err.code === 'aborted') {
          yield { text: '', pieces: [], tokens: [], provenance: [], stats: emptyStats(0), finishReason: 'abort' };
          return;
        }
        throw err;
      }
      if (options.signal?.aborted) endWith('abort');
      const pair = this.requirePair();
      const tracked: GenerationControl = {
        signal: control.signal,
        track: (step) => {
          this.inFlight = step.catch(() => {});
          return step;
        },
      };
      yield* runGeneration(pair, stripSignal(options), this.drafting, tracked);
    } finally {
      options.signal?.removeEventListener('abort', onUserAbort);
      this.lifetime.signal.removeEventListener('abort', onDispose);
      release?.();
    }
  }

  /** Runs a generation to the end: the concatenated text of the stream, all tokens, and the last stats. */
  async generateText(options: GenerateOptions): Promise<GenerateResult> {
    return collectGeneration(this.generate(options));
  }

  /** Frees the models; the engine stays usable for another load(). */
  async unload(): Promise<void> {
    const release = await this.turn();
    try {
      this.freePair();
    } finally {
      release();
    }
  }

  /**
   * Ends everything: the generation in progress ends with AbortError('disposed') after its current
   * step, queued calls are refused with the same error, the models are freed. Later calls throw.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.lifetime.abort('disposed');
    this.turns.refuseAll(new AbortError('the engine was disposed', 'disposed'));
    await this.inFlight;
    this.freePair();
  }

  private turn(signal?: AbortSignal): Promise<() => void> {
    if (this.disposed) return Promise.reject(new AbortError('the engine is disposed', 'disposed'));
    return this.turns.acquire(signal);
  }

  private requirePair(): LoadedPair {
    if (this.disposed) throw new AbortError('the engine is disposed', 'disposed');
    if (!this.pair) throw new InvalidArgumentError('no model is loaded: call load() first');
    return this.pair;
  }

  private freePair(): void {
    const pair = this.pair;
    this.pair = undefined;
    pair?.dispose();
  }
}

function stripSignal(options: GenerateOptions): GenerateOptions {
  const { signal: _signal, ...rest } = options;
  return rest;
}
