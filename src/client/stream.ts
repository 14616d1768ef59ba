/**
 * The page side of a streamed generation: pulls chunks from the worker's GenerationHandle and hands
 * them out as an AsyncGenerator, so `for await (const chunk of engine.generate(...))` works.
 *
 * - `break` (or `return()`) closes the handle: the worker ends the generation before computing more.
 * - The caller's AbortSignal is forwarded as a call to `abort()`; the stream then ends with a chunk
 *   whose finishReason is 'abort'.
 * - `ended` rejects when the engine is disposed or its worker dies; every pending pull rejects with it
 *   (a terminated worker never answers).
 */
import { releaseProxy, type Remote } from 'comlink';
import type { GenerateChunk } from '../engine/types';
import type { GenerationHandle } from '../worker/protocol';

export function raceEnded<T>(work: Promise<T>, ended: Promise<never>): Promise<T> {
  return Promise.race([work, ended]);
}

export async function* pullChunks(
  open: () => Promise<Remote<GenerationHandle>>,
  signal: AbortSignal | undefined,
  ended: Promise<never>,
): AsyncGenerator<GenerateChunk, void, undefined> {
  const handle = await raceEnded(open(), ended);
  const onAbort = () => void handle.abort().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  let holding = true; // the worker's generator may still hold the engine
  try {
    for (;;) {
      let result: IteratorResult<GenerateChunk, void>;
      try {
        result = await raceEnded(handle.pull() as Promise<IteratorResult<GenerateChunk, void>>, ended);
      } catch (err) {
        holding = false; // a generator that threw is finished
        throw err;
      }
      if (result.done) {
        holding = false;
        return;
      }
      yield result.value;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (holding) await raceEnded(handle.close(), ended).catch(() => {});
    handle[releaseProxy]();
  }
}
