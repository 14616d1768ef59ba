/**
 * The page's engine: the same API as the in-process Engine, backed by an Engine in a Web Worker.
 * Created by `createEngine()` (src/client/create-engine.ts).
 */
import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import { createChatCompletions, type ChatCompletions } from '../engine/chat-completions';
import type { GenerateChunk, GenerateOptions, GenerateResult, LoadOptions, ModelInfo } from '../engine/types';
import { AbortError, ForesightError } from '../errors';
import type { WorkerApi } from '../worker/protocol';
import { installErrorTransfer } from '../worker/wire';
import { pullChunks, raceEnded } from './stream';
import { collectGeneration } from '../engine/collect';

export class WorkerEngine {
  readonly chat: { completions: ChatCompletions };
  private readonly remote: Remote<WorkerApi>;
  private loaded: ModelInfo | undefined;
  private disposing: Promise<void> | undefined;
  /** Rejects once the engine is disposed (or its worker dies); pending calls race against it. */
  private readonly ended: Promise<never>;
  private end!: (err: ForesightError) => void;

  /** `worker` must be running a worker that called exposeEngine() and has posted its ready notice. */
  constructor(private readonly worker: Worker) {
    installErrorTransfer();
    this.remote = wrap<WorkerApi>(worker);
    this.ended = new Promise<never>((_, reject) => (this.end = reject));
    this.ended.catch(() => {}); // observed by whoever races against it
    this.chat = { completions: createChatCompletions((options) => this.generate(options), () => this.loaded?.target) };
    worker.addEventListener('error', (event) => {
      // An uncaught error in the worker's top level after start-up: the engine cannot be trusted any more.
      event.preventDefault();
      this.end(new ForesightError('internal', `the Foresight worker failed: ${event.message || 'unknown error'}`));
    });
  }

  get disposed(): boolean {
    return this.disposing !== undefined;
  }

  async load(options: LoadOptions): Promise<ModelInfo> {
    const { onProgress, ...rest } = options;
    const listener = onProgress ? proxy(onProgress) : undefined;
    this.loaded = undefined;
    this.loaded = await this.call(() => this.remote.load(rest, listener));
    return this.loaded;
  }

  /** What is loaded, as of the last load()/unload() from this page. */
  info(): ModelInfo | undefined {
    return this.loaded;
  }

  /** Streams a generation from the worker; see Engine.generate. */
  generate(options: GenerateOptions): AsyncGenerator<GenerateChunk, void, undefined> {
    const { signal, ...rest } = options;
    return pullChunks(() => this.call(async () => this.remote.generate(rest)), signal, this.ended);
  }

  async generateText(options: GenerateOptions): Promise<GenerateResult> {
    return collectGeneration(this.generate(options));
  }

  async unload(): Promise<void> {
    await this.call(() => this.remote.unload());
    this.loaded = undefined;
  }

  /**
   * Ends the engine: a generation in progress ends with AbortError('disposed'), the worker frees the
   * models and is terminated. Safe to call more than once.
   */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      this.loaded = undefined;
      // Give the worker a moment to end the generation cleanly and free GPU memory, but do not hang on a stuck one.
      await Promise.race([this.remote.dispose().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
      this.end(new AbortError('the engine was disposed', 'disposed'));
      this.remote[releaseProxy]();
      this.worker.terminate();
    })();
    return this.disposing;
  }

  private call<T>(work: () => Promise<T>): Promise<T> {
    if (this.disposing) return Promise.reject(new AbortError('the engine is disposed', 'disposed'));
    return raceEnded(work(), this.ended);
  }
}
