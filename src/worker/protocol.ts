/**
 * What crosses the worker boundary.
 *
 * Calls go through Comlink: the page holds a `Remote<WorkerApi>`. Comlink does not proxy async
 * generators, so `generate()` returns a proxied `GenerationHandle` that the page pulls chunk by chunk
 * (src/client/stream.ts wraps it back into an AsyncGenerator). Pulling keeps the worker in step with
 * the page: no step runs ahead of what the page asked for, so `break` stops the generation at once.
 * An AbortSignal cannot be posted; the page forwards its abort as a call to `abort()`.
 *
 * Errors thrown in the worker travel as WireErrors (src/errors.ts) through Comlink's "throw" transfer
 * handler (wire.ts) and are rebuilt as the same classes with the same codes on the page.
 *
 * Besides Comlink's messages there is a handshake of our own: the worker posts `foresight:ready` once its
 * engine is exposed, and again whenever the page posts `foresight:ping` (the page pings in case the first
 * notice went out before it listened). So the page can tell a starting worker from one whose script
 * failed to load, and a worker from another build (protocol version) from a compatible one.
 */
import type { ProxyMarked } from 'comlink';
import type { GenerateChunk, GenerateOptions, LoadOptions, LoadProgress, ModelInfo } from '../engine/types';

/** Bumped when WorkerApi changes incompatibly: a page and a worker from different builds refuse each other. */
export const PROTOCOL_VERSION = 1;

/** Worker → page. */
export type WorkerNotice = { type: 'foresight:ready'; protocol: number };
/** Page → worker. */
export type PageNotice = { type: 'foresight:ping' };

export function isNotice<T extends WorkerNotice | PageNotice>(data: unknown, type: T['type']): data is T {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === type;
}

/** The engine's methods as the worker exposes them (options without their non-clonable parts). */
export interface WorkerApi {
  load(options: Omit<LoadOptions, 'onProgress'>, onProgress?: (progress: LoadProgress) => void): Promise<ModelInfo>;
  info(): ModelInfo | undefined;
  /** Starts nothing by itself: the generation takes its turn on the first `pull()`. */
  generate(options: Omit<GenerateOptions, 'signal'>): GenerationHandle & ProxyMarked;
  unload(): Promise<void>;
  dispose(): Promise<void>;
}

/** One generation in the worker, pulled by the page. */
export interface GenerationHandle {
  /** The next chunk, or done. */
  pull(): Promise<IteratorResult<GenerateChunk, void>>;
  /** The page stopped reading (`break`): end the generation and free the engine for the next one. */
  close(): Promise<void>;
  /** The page's AbortSignal fired: the next pull returns the last chunk, with finishReason 'abort'. */
  abort(): void;
}
