/**
 * Streams one file into the store, chunk by chunk, resuming from the last stored chunk with a Range
 * request. The server must answer a resumed request with 206, a Content-Range that starts where we asked
 * and has the file's size, and the same ETag as before (when it sends one); otherwise the file changed or
 * the server cannot do ranges, and the file restarts from 0. At the end the size is checked, and the
 * sha256 when the server published one; only then is the file marked complete.
 *
 * No If-Range header: it is not CORS-safelisted, so in a browser every resumed request would need a
 * preflight, which a CDN behind a Hub redirect may refuse. A single `Range: bytes=N-` is safelisted.
 */
import { AbortError, LoadError } from '../errors';
import { ChunkAccumulator, chunkCount, chunkRange } from './chunks';
import { httpError, networkError, parseContentRange, remoteInfo, TransientError } from './http';
import { resetFile, storedBytes, type FileEntry, type Manifest } from './manifest';
import type { ProgressTracker } from './progress';
import { Sha256, sha256Hex } from './sha256';
import type { ModelStore } from './store';

export interface DownloadContext {
  store: ModelStore;
  manifest: Manifest;
  fetch: typeof fetch;
  signal: AbortSignal;
  progress: ProgressTracker;
  /** Attempts after the first for a broken connection or a 5xx, each resuming where the last stopped. */
  retries: number;
  retryDelayMs: number;
  /** false: restart partial files from byte 0 instead of resuming (diagnostics, and the tests' control case). */
  resume: boolean;
  /** Body bytes received, for the caller's report. */
  received: { bytes: number };
}

const WEIGHT_FILE = /\.(safetensors|gguf)$/i;

/** The file changed on the server, or the server cannot resume: the stored part was discarded. */
class Restart extends TransientError {}

/** The server's bytes did not match its own sha256: the file was discarded. */
class ChecksumMismatch extends LoadError {
  constructor(message: string) {
    super('integrity', message);
  }
}

export async function downloadFile(ctx: DownloadContext, file: FileEntry): Promise<void> {
  let failures = 0;
  let mismatches = 0;
  let restarts = 0;
  for (;;) {
    try {
      await downloadOnce(ctx, file);
      return;
    } catch (err) {
      if (ctx.signal.aborted) throw abortError(ctx.signal);
      if (err instanceof ChecksumMismatch && mismatches++ === 0) continue; // fetched again once from 0
      if (err instanceof Restart && restarts++ === 0) continue; // from 0 at once, not counted as a failure
      if (err instanceof TransientError && failures < ctx.retries) {
        await sleep(ctx.retryDelayMs * 2 ** failures++, ctx.signal);
        continue;
      }
      if (err instanceof TransientError) throw new LoadError('download', err.message, { cause: err });
      if (err instanceof ChecksumMismatch) throw new LoadError('integrity', err.message); // a plain LoadError on the wire
      throw err;
    }
  }
}

async function downloadOnce(ctx: DownloadContext, file: FileEntry): Promise<void> {
  const { store, manifest: m } = ctx;
  if (!ctx.resume && file.chunks.length > 0) await discard(ctx, file);
  let offset = storedBytes(file, m.chunkSize);
  if (file.size !== undefined && offset === file.size && file.chunks.length === chunkCount(file.size, m.chunkSize)) {
    return finish(ctx, file, await rehash(ctx, file));
  }

  const headers: Record<string, string> = {};
  if (offset > 0) headers.Range = `bytes=${offset}-`;
  let res: Response;
  try {
    res = await ctx.fetch(file.url, { headers, signal: ctx.signal, cache: 'no-store' });
  } catch (err) {
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    throw networkError('GET', file.url, err);
  }

  if (offset > 0 && res.status === 206) {
    const range = parseContentRange(res.headers.get('content-range'));
    const etag = remoteInfo(res).etag;
    const problem =
      !range || range.start !== offset
        ? `asked for bytes ${offset}- and got Content-Range "${res.headers.get('content-range')}"`
        : range.total !== undefined && file.size !== undefined && range.total !== file.size
          ? `the file is now ${range.total} bytes, not ${file.size}`
          : etag !== undefined && file.etag !== undefined && etag !== file.etag
            ? `the file changed (ETag ${etag}, was ${file.etag})`
            : undefined;
    if (problem) {
      await res.body?.cancel();
      await discard(ctx, file);
      file.size = range?.total ?? file.size;
      file.etag = etag;
      file.sha256 = remoteInfo(res).sha256;
      ctx.progress.setTotal(file.name, file.size ?? 0);
      throw new Restart(`GET ${file.url}: ${problem}; restarting the file from 0`);
    }
  } else if (res.status === 200) {
    if (offset > 0) await discard(ctx, file); // no Range support: from 0
    offset = 0;
    const info = remoteInfo(res);
    file.size = info.size;
    // A small text file (config, tokenizer) may come compressed, and a browser hides Content-Encoding from
    // cross-origin pages, so its Content-Length is not its size: the size is what the body turns out to be
    // (fetch itself fails a body cut short). Weight files are served as they are, and checked exactly.
    if (!WEIGHT_FILE.test(file.name) && !res.headers.has('x-linked-size')) file.size = undefined;
    if (info.etag !== undefined) file.etag = info.etag;
    if (info.sha256 !== undefined) file.sha256 = info.sha256;
    if (file.size !== undefined) ctx.progress.setTotal(file.name, file.size);
  } else {
    await res.body?.cancel();
    throw httpError('GET', file.url, res);
  }
  if (!res.body) throw new TransientError(`GET ${file.url}: response has no body`);

  const hasher = file.sha256 ? (offset > 0 ? await rehash(ctx, file) : new Sha256()) : undefined;
  const acc = new ChunkAccumulator(m.chunkSize);
  const commit = async (chunk: Uint8Array) => {
    const hash = await sha256Hex(chunk);
    hasher?.update(chunk);
    const state = hasher && chunk.byteLength === m.chunkSize ? hasher.saveState() : undefined;
    await store.commitChunk(m, file, chunk, hash, state);
  };

  let received = offset;
  const reader = res.body.getReader();
  try {
    for (;;) {
      let piece: ReadableStreamReadResult<Uint8Array>;
      try {
        piece = await reader.read();
      } catch (err) {
        if (ctx.signal.aborted) throw abortError(ctx.signal);
        throw new TransientError(`GET ${file.url}: connection lost after ${received} of ${file.size ?? '?'} bytes (${(err as Error).message})`);
      }
      if (piece.done) break;
      received += piece.value.byteLength;
      ctx.received.bytes += piece.value.byteLength;
      if (file.size !== undefined && received > file.size) {
        await discard(ctx, file);
        throw new ChecksumMismatch(`GET ${file.url}: the server sent more than the ${file.size} bytes it announced`);
      }
      for (const chunk of acc.push(piece.value)) await commit(chunk);
      ctx.progress.update(file.name, received);
    }
  } finally {
    reader.releaseLock();
  }
  if (file.size !== undefined && received < file.size) {
    throw new TransientError(`GET ${file.url}: the body ended after ${received} of ${file.size} bytes`);
  }
  const last = acc.flush();
  if (last) await commit(last);
  if (file.size === undefined) {
    file.size = received;
    ctx.progress.setTotal(file.name, received);
  }
  await finish(ctx, file, hasher);
}

/** Checks the whole-file sha256 (when known), marks the file complete and stores the manifest. */
async function finish(ctx: DownloadContext, file: FileEntry, hasher: Sha256 | undefined): Promise<void> {
  if (hasher && file.sha256) {
    const got = hasher.hex();
    if (got !== file.sha256) {
      await discard(ctx, file);
      throw new ChecksumMismatch(`${file.url}: sha256 ${got} does not match the server's ${file.sha256}; the file was discarded`);
    }
  }
  file.complete = true;
  await ctx.store.saveManifest(ctx.manifest);
  ctx.progress.update(file.name, file.size ?? 0, true);
}

/** Forgets a file's stored chunks: the manifest first (so it never lists deleted chunks), then the data. */
async function discard(ctx: DownloadContext, file: FileEntry): Promise<void> {
  resetFile(file);
  await ctx.store.saveManifest(ctx.manifest);
  await ctx.store.deleteFileChunks(ctx.manifest, file);
}

/**
 * The whole-file hasher after the stored chunks: from the saved state when there is one, else by reading
 * the stored chunks back (checking each against its own hash first). Undefined when no sha256 is known.
 */
async function rehash(ctx: DownloadContext, file: FileEntry): Promise<Sha256 | undefined> {
  if (!file.sha256) return undefined;
  const { chunkSize } = ctx.manifest;
  if (file.hashState && Number(file.hashState.split(':')[0]) === file.chunks.length * chunkSize) {
    return Sha256.restore(file.hashState);
  }
  const hasher = new Sha256();
  for (let i = 0; i < file.chunks.length; i++) {
    const bytes = await ctx.store.readChunk(ctx.manifest, file, i);
    const { start, end } = chunkRange(i, file.size ?? Infinity, chunkSize);
    if (!bytes || bytes.byteLength !== end - start || (await sha256Hex(bytes)) !== file.chunks[i]) {
      await discard(ctx, file);
      throw new TransientError(`${file.name}: stored chunk ${i} failed its check; restarting the file`);
    }
    hasher.update(bytes);
  }
  return hasher;
}

export function abortError(signal: AbortSignal): AbortError {
  const reason = signal.reason instanceof Error ? `: ${signal.reason.message}` : '';
  return new AbortError(`model download aborted${reason}`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
