/**
 * Discovery: turns a resolved source into the manifest's file list with sizes, validators and sha256s,
 * before anything big is downloaded (so the quota check knows the bytes needed, and progress knows the total).
 * A folder: its config/tokenizer files, then `model.safetensors.index.json` (fetched and stored now, since
 * its shard list is needed) or, when that is 404, `model.safetensors`. Then a HEAD per file.
 */
import { LoadError } from '../errors';
import { ChunkAccumulator } from './chunks';
import { abortError } from './download';
import { httpError, networkError, readBody, remoteInfo, TransientError, type RemoteInfo } from './http';
import { newFileEntry, type FileEntry, type Manifest } from './manifest';
import { sha256Hex } from './sha256';
import {
  FOLDER_FILES,
  folderFileUrl,
  SAFETENSORS_INDEX,
  SAFETENSORS_SINGLE,
  shardsFromIndex,
  type ResolvedSource,
} from './source';
import type { ModelStore } from './store';

export interface DiscoverContext {
  store: ModelStore;
  fetch: typeof fetch;
  signal: AbortSignal;
  concurrency: number;
  /** Body bytes received, for the caller's report. */
  received: { bytes: number };
}

export async function discover(ctx: DiscoverContext, m: Manifest, src: ResolvedSource): Promise<void> {
  m.files = [];
  const add = (name: string, url: string, optional: boolean) => {
    const f = newFileEntry(name, url, m.files.length, optional);
    m.files.push(f);
    return f;
  };
  if (src.kind === 'file') {
    add(src.name, src.url, false);
  } else if (src.kind === 'folder') {
    for (const f of FOLDER_FILES) add(f.name, folderFileUrl(src.baseUrl, f.name), f.optional);
    const indexUrl = folderFileUrl(src.baseUrl, SAFETENSORS_INDEX);
    const index = await getSmall(ctx, indexUrl);
    if (index === 'absent') {
      add(SAFETENSORS_SINGLE, folderFileUrl(src.baseUrl, SAFETENSORS_SINGLE), false);
    } else {
      const shards = shardsFromIndex(new TextDecoder().decode(index.bytes), indexUrl);
      const entry = add(SAFETENSORS_INDEX, indexUrl, false);
      entry.etag = index.info.etag;
      if (index.info.commit) m.commit = index.info.commit;
      ctx.received.bytes += index.bytes.byteLength;
      await storeWhole(ctx.store, m, entry, index.bytes);
      for (const s of shards) add(s, folderFileUrl(src.baseUrl, s), false);
    }
  }

  await forEachLimited(
    m.files.filter((f) => !f.complete),
    ctx.concurrency,
    async (f) => {
      const info = await head(ctx, f);
      if (info === 'absent') {
        f.absent = true;
        return;
      }
      f.size = info.size;
      f.etag = info.etag;
      f.sha256 = info.sha256;
      if (info.commit && !m.commit) m.commit = info.commit;
    },
  );
  m.discovered = true;
  await ctx.store.saveManifest(m);
}

/** HEAD a file: 'absent' for an optional file's 404; a required file's 404 is a LoadError naming it. */
async function head(ctx: DiscoverContext, f: FileEntry): Promise<RemoteInfo | 'absent'> {
  let res: Response;
  try {
    res = await ctx.fetch(f.url, { method: 'HEAD', signal: ctx.signal, cache: 'no-store' });
  } catch (err) {
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    throw new LoadError('download', networkError('HEAD', f.url, err).message, { cause: err });
  }
  if (res.status === 404 || res.status === 410) {
    if (f.optional) return 'absent';
    throw new LoadError('download', `${f.name} not found: HEAD ${f.url}: HTTP ${res.status}`);
  }
  if (!res.ok) {
    const err = httpError('HEAD', f.url, res);
    throw err instanceof TransientError ? new LoadError('download', err.message, { cause: err }) : err;
  }
  return remoteInfo(res);
}

async function getSmall(ctx: DiscoverContext, url: string): Promise<{ bytes: Uint8Array; info: RemoteInfo } | 'absent'> {
  let res: Response;
  try {
    res = await ctx.fetch(url, { signal: ctx.signal, cache: 'no-store' });
  } catch (err) {
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    throw new LoadError('download', networkError('GET', url, err).message, { cause: err });
  }
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel();
    return 'absent';
  }
  if (!res.ok) {
    await res.body?.cancel();
    const err = httpError('GET', url, res);
    throw err instanceof TransientError ? new LoadError('download', err.message, { cause: err }) : err;
  }
  const info = remoteInfo(res);
  const bytes = await readBody(res, url).catch((err) => {
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    throw new LoadError('download', (err as Error).message, { cause: err });
  });
  // No size check: a JSON file may come compressed (see download.ts); a bad one fails to parse.
  return { bytes, info };
}

/** Stores a file already in memory (a small one) as chunks and marks it complete. */
async function storeWhole(store: ModelStore, m: Manifest, f: FileEntry, bytes: Uint8Array): Promise<void> {
  f.size = bytes.byteLength;
  const acc = new ChunkAccumulator(m.chunkSize);
  const chunks = acc.push(bytes);
  const last = acc.flush();
  if (last) chunks.push(last);
  for (const c of chunks) await store.commitChunk(m, f, c, await sha256Hex(c));
  f.complete = true;
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure is thrown after all settle. */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const lane = async () => {
    while (next < items.length && !failure) {
      const item = items[next++];
      try {
        await work(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.err;
}
