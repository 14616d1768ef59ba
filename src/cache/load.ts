/**
 * Loading a model's files through the cache.
 *
 *   complete manifest  -> ByteSources over the stored chunks; no network at all (missing chunks, if a
 *                         key listing finds any, are fetched again first)
 *   otherwise          -> discover files and sizes (unless a resumed manifest already has them), check the
 *                         storage estimate, ask for persistence, download what is missing (a few files at
 *                         a time, each resuming from its last stored chunk), mark the manifest complete
 *
 * Files and Blobs the caller holds are read in place and not cached.
 */
import { AbortError, ForesightError, LoadError, QuotaError } from '../errors';
import type { ByteSource } from '../model/byte-source';
import type { StorageEstimateLike } from './backend';
import { blobSource } from './blob-source';
import { cachedFileSource } from './cached-file';
import { DEFAULT_CHUNK_SIZE, validateChunkSize } from './chunks';
import { discover, forEachLimited } from './discover';
import { abortError, downloadFile, type DownloadContext } from './download';
import { bytesMissing, manifestIsComplete, newManifest, storedBytes, type Manifest } from './manifest';
import { ProgressTracker, type ProgressListener } from './progress';
import { repairChunk, type RepairContext } from './repair';
import { resolveSource, SAFETENSORS_INDEX, type ModelSourceSpec, type ResolvedSource } from './source';
import type { ModelStore } from './store';

export interface LoadOptions {
  /** Hub base URL for `hf:` sources (mirrors, self-hosting). Default https://huggingface.co. */
  hubBase?: string;
  /** Chunk size for new downloads (a multiple of 64). Default 16 MiB. A partial download keeps its own. */
  chunkSize?: number;
  /** Files downloaded at once. Default 3. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Default: globalThis.fetch. */
  fetch?: typeof fetch;
  /** Retries of a broken connection or 5xx per file, each resuming. Default 3. */
  retries?: number;
  /** First retry delay, doubled per retry. Default 500 ms. */
  retryDelayMs?: number;
  /** Replaces the backend's storage estimate / persistence request (tests, or an app's own policy). */
  storage?: {
    estimate?: () => Promise<StorageEstimateLike | undefined>;
    persist?: () => Promise<boolean>;
  };
  /** false: partial files restart from byte 0 instead of resuming (diagnostics; the tests' control case). */
  resume?: boolean;
  /** false: skip the per-chunk sha256 check on reads from the cache (sizes are still checked). */
  verify?: boolean;
}

export interface LoadedModel {
  /** Cache key, e.g. `hf:owner/repo@main`. */
  readonly id: string;
  readonly revision?: string;
  /** Commit the revision resolved to, when the server said (Hub `X-Repo-Commit`). */
  readonly commit?: string;
  readonly format: 'gguf' | 'safetensors';
  /** Every file present, by path (`config.json`, `model-00001-of-00002.safetensors`, ...). */
  readonly files: ReadonlyMap<string, ByteSource>;
  /** The weight files: one GGUF, or the safetensors shards in name order. */
  readonly weights: readonly ByteSource[];
  /** Body bytes downloaded by this load (0 when everything came from the cache). */
  readonly bytesDownloaded: number;
  /** Whether persistent storage was granted (only asked for when downloading). */
  readonly persisted?: boolean;
  /** Chunks found bad in the cache and fetched again, so far (reads continue to count). */
  readonly repairs: { chunks: number };
  /** A whole small file as text (config.json, tokenizer.json), or undefined when the model lacks it. */
  text(name: string): Promise<string | undefined>;
}

export async function loadModel(store: ModelStore, spec: ModelSourceSpec, options: LoadOptions = {}): Promise<LoadedModel> {
  const src = resolveSource(spec, options.hubBase);
  if (src.kind === 'blobs') return modelFrom(src.id, src.blobs.map((b) => blobSource(b.name, b.blob)), 0);
  const run: LoadRun = {
    store,
    src,
    options,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    repairs: { chunks: 0 },
  };
  if (options.signal?.aborted) throw abortError(options.signal);

  const cached = await store.getManifest(src.id);
  if (cached?.complete) return fromCache(run, cached);
  // One download per model at a time across tabs and workers; whoever waited finds it complete.
  return withModelLock(src.id, options.signal, async () => {
    const m = await store.getManifest(src.id);
    return m?.complete ? fromCache(run, m) : download(run, m);
  });
}

interface LoadRun {
  store: ModelStore;
  src: Exclude<ResolvedSource, { kind: 'blobs' }>;
  options: LoadOptions;
  fetch: typeof fetch;
  repairs: { chunks: number };
}

/** A complete manifest: no network, unless a key listing finds chunks missing (then those are fetched). */
async function fromCache(run: LoadRun, m: Manifest): Promise<LoadedModel> {
  for (const { file, index } of await run.store.missingChunks(m)) await repairChunk(repairContext(run, m), file, index, 'missing');
  return cachedModel(run, m, 0);
}

async function download(run: LoadRun, existing: Manifest | undefined): Promise<LoadedModel> {
  const { store, src, options } = run;
  const controller = new AbortController();
  const forward = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', forward, { once: true });
  try {
    if (!existing) await store.deleteModel(src.id); // leftovers of an unreadable or older-schema manifest
    const m = existing ?? newManifest(src.id, validateChunkSize(options.chunkSize ?? DEFAULT_CHUNK_SIZE));
    m.revision ??= src.revision;
    const concurrency = Math.max(1, options.concurrency ?? 3);
    const received = { bytes: 0 };
    if (!m.discovered) await discover({ store, fetch: run.fetch, signal: controller.signal, concurrency, received }, m, src);

    const estimate = options.storage?.estimate ?? (() => store.backend.estimate());
    await checkQuota(m, store.backend.location, await estimate());
    const persisted = await (options.storage?.persist ?? (() => store.backend.persist()))();

    const progress = new ProgressTracker(options.onProgress);
    for (const f of m.files) if (!f.absent) progress.add(f.name, storedBytes(f, m.chunkSize), f.size);
    const ctx: DownloadContext = {
      store,
      manifest: m,
      fetch: run.fetch,
      signal: controller.signal,
      progress,
      retries: options.retries ?? 3,
      retryDelayMs: options.retryDelayMs ?? 500,
      resume: options.resume ?? true,
      received,
    };
    let first: { err: unknown } | undefined; // the cause, not the other files' resulting AbortErrors
    try {
      await forEachLimited(
        m.files.filter((f) => !f.absent && !f.complete),
        concurrency,
        async (f) => {
          try {
            await downloadFile(ctx, f);
          } catch (err) {
            first ??= { err };
            controller.abort(err); // stop the other files; their stored chunks stay for a resume
            throw err;
          }
        },
      );
    } catch (err) {
      throw await explain(first?.err ?? err, m, store.backend.location, estimate);
    }
    m.complete = manifestIsComplete(m);
    if (!m.complete) throw new ForesightError('internal', `${m.id}: download finished but the manifest is not complete`);
    await store.saveManifest(m);
    return { ...cachedModel(run, m, received.bytes), persisted };
  } finally {
    options.signal?.removeEventListener('abort', forward);
  }
}

/** Runs `fn` holding a Web Lock named after the model, where Web Locks exist (browsers); else just runs it. */
async function withModelLock<T>(id: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return fn();
  try {
    return await locks.request(`foresight-cache:${id}`, { signal }, fn);
  } catch (err) {
    if (signal?.aborted && err instanceof DOMException && err.name === 'AbortError') throw abortError(signal);
    throw err;
  }
}

function repairContext(run: LoadRun, m: Manifest): RepairContext {
  return {
    store: run.store,
    manifest: m,
    fetch: run.fetch,
    signal: run.options.signal,
    onRepaired: () => run.repairs.chunks++,
  };
}

async function checkQuota(m: Manifest, location: string, est: StorageEstimateLike | undefined): Promise<void> {
  const needed = bytesMissing(m);
  if (needed === 0 || est?.quota === undefined) return;
  const available = Math.max(0, est.quota - (est.usage ?? 0));
  if (needed > available) {
    throw new QuotaError(
      `not enough storage to cache ${m.id} in ${location}: ${mib(needed)} needed, ${mib(available)} available ` +
        `(quota ${mib(est.quota)}, used ${mib(est.usage ?? 0)}); free some space or delete cached models`,
      needed,
      available,
    );
  }
}

/** Gives a mid-download failure the numbers a user needs (quota) or its AbortError form. */
async function explain(
  err: unknown,
  m: Manifest,
  location: string,
  estimate: () => Promise<StorageEstimateLike | undefined>,
): Promise<unknown> {
  if (err instanceof QuotaError) {
    const needed = bytesMissing(m);
    const est = await estimate().catch(() => undefined);
    const available = est?.quota === undefined ? undefined : Math.max(0, est.quota - (est.usage ?? 0));
    return new QuotaError(
      `storage quota exceeded while caching ${m.id} in ${location}: ` +
        (needed > 0 ? `${mib(needed)} still needed` : 'the browser refused to store more data') +
        (available === undefined ? '' : ` (it reports ${mib(available)} available)`) +
        '; what was stored is kept (incomplete) for a later resume',
      needed,
      available,
      { cause: err },
    );
  }
  if (err instanceof ForesightError) return err;
  if (err instanceof DOMException && err.name === 'AbortError') return new AbortError('model download aborted');
  return new ForesightError('internal', `${m.id}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

function cachedModel(run: LoadRun, m: Manifest, bytesDownloaded: number): LoadedModel {
  const repair = repairContext(run, m);
  const sources = m.files
    .filter((f) => !f.absent)
    .map((file) =>
      cachedFileSource({
        store: run.store,
        manifest: m,
        file,
        verify: run.options.verify ?? true,
        repair: (f, index, why) => repairChunk(repair, f, index, why),
      }),
    );
  const model = modelFrom(m.id, sources, bytesDownloaded, run.repairs);
  return { ...model, revision: m.revision, commit: m.commit };
}

function modelFrom(id: string, sources: ByteSource[], bytesDownloaded: number, repairs = { chunks: 0 }): LoadedModel {
  const files = new Map(sources.map((s) => [s.name, s]));
  const gguf = sources.filter((s) => /\.gguf$/i.test(s.name));
  const safetensors = sources.filter((s) => /\.safetensors$/i.test(s.name) && s.name !== SAFETENSORS_INDEX);
  const weights = gguf.length > 0 ? gguf : safetensors.sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    id,
    format: gguf.length > 0 ? 'gguf' : 'safetensors',
    files,
    weights,
    bytesDownloaded,
    repairs,
    async text(name) {
      const s = files.get(name);
      return s && new TextDecoder().decode(await s.read(0, s.size));
    },
  };
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB (${bytes} bytes)`;
}
