/**
 * Repair of one cached chunk that is missing, truncated or corrupt: fetch its byte range again and
 * accept it only if it matches the hash recorded when the chunk was first stored (which itself passed the
 * whole-file check when the server gave a sha256). Then write it back; the manifest does not change.
 */
import { LoadError } from '../errors';
import { chunkRange } from './chunks';
import { httpError, networkError, parseContentRange, readBody, TransientError } from './http';
import type { FileEntry, Manifest } from './manifest';
import { sha256Hex } from './sha256';
import type { ModelStore } from './store';

export interface RepairContext {
  store: ModelStore;
  manifest: Manifest;
  fetch: typeof fetch;
  signal?: AbortSignal;
  /** Counts chunks fetched again, for reports and tests. */
  onRepaired?: (file: FileEntry, index: number) => void;
}

export async function repairChunk(ctx: RepairContext, file: FileEntry, index: number, why: string): Promise<Uint8Array> {
  const { start, end } = chunkRange(index, file.size ?? 0, ctx.manifest.chunkSize);
  const fail = (detail: string, cause?: unknown) =>
    new LoadError(
      'integrity',
      `${file.name}: chunk ${index} (bytes ${start}-${end - 1}) in ${ctx.store.backend.location} is ${why}, and fetching it again failed: ${detail}`,
      { cause },
    );

  const headers = { Range: `bytes=${start}-${end - 1}` }; // no If-Range: see download.ts
  let bytes: Uint8Array;
  try {
    const res = await ctx.fetch(file.url, { headers, signal: ctx.signal, cache: 'no-store' });
    if (res.status === 206) {
      const range = parseContentRange(res.headers.get('content-range'));
      if (!range || range.start !== start || range.end !== end - 1) {
        await res.body?.cancel();
        throw fail(`asked for bytes ${start}-${end - 1}, got Content-Range "${res.headers.get('content-range')}"`);
      }
      bytes = await readBody(res, file.url);
    } else if (res.status === 200) {
      // No Range support: take the chunk's bytes out of the whole body.
      bytes = (await readBody(res, file.url)).slice(start, end);
    } else {
      await res.body?.cancel();
      const err = httpError('GET', file.url, res);
      throw fail(err.message, err);
    }
  } catch (err) {
    if (err instanceof LoadError) throw err;
    const e = err instanceof TransientError ? err : networkError('GET', file.url, err);
    throw fail(e.message, err);
  }
  if (bytes.byteLength !== end - start || (await sha256Hex(bytes)) !== file.chunks[index]) {
    throw fail(
      'the server now sends different bytes for it (the file changed upstream?); delete the model from the cache and load it again',
    );
  }
  await ctx.store.rewriteChunk(ctx.manifest, file, index, bytes);
  ctx.onRepaired?.(file, index);
  return bytes;
}
