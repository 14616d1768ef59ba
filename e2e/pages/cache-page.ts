/**
 * Test page for e2e/cache.test.ts: exposes the browser model cache (real IndexedDB) on `window.cacheTest`,
 * with results as plain data so Playwright can read them.
 */
import { createStore, get, set } from 'idb-keyval';
import { errorToWire, type WireError } from '../../src/errors';
import type { CacheBackend } from '../../src/cache/backend';
import { indexedDbBackend } from '../../src/cache/idb-backend';
import { createModelCache, type LoadProgress } from '../../src/cache/index';
import { Sha256 } from '../../src/cache/sha256';
import { modelKey } from '../../src/cache/store';

export interface PageLoadOptions {
  database: string;
  hubBase: string;
  chunkSize?: number;
  retries?: number;
  /** Pretend the storage estimate says this (the quota pre-check's input). */
  estimate?: { usage: number; quota: number };
  /**
   * Chunk bytes IndexedDB may take before a write throws DOMException QuotaExceededError, as the browser
   * does when the origin's quota is used up. (Chromium 156 headless accepts CDP's
   * Storage.overrideQuotaForOrigin but neither reports nor enforces it, so the limit is applied here.)
   */
  quotaBudget?: number;
}

export interface PageLoadResult {
  error?: WireError;
  hashes?: Record<string, string>;
  format?: string;
  bytesDownloaded?: number;
  repairs?: number;
  events: LoadProgress[];
}

const cacheFor = (o: { database: string; hubBase?: string; quotaBudget?: number }) => {
  const idb = indexedDbBackend({ database: o.database });
  return createModelCache({ backend: o.quotaBudget === undefined ? idb : withBudget(idb, o.quotaBudget), defaults: { hubBase: o.hubBase } });
};

function withBudget(backend: CacheBackend, budget: number): CacheBackend {
  return {
    ...backend,
    async set(entries) {
      const bytes = entries.reduce((n, [key, v]) => n + (key.endsWith('/manifest') ? 0 : v.byteLength), 0);
      if (bytes > budget) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      budget -= bytes;
      return backend.set(entries);
    },
  };
}

async function load(source: string, o: PageLoadOptions): Promise<PageLoadResult> {
  const events: LoadProgress[] = [];
  try {
    const model = await cacheFor(o).load(source, {
      chunkSize: o.chunkSize,
      retries: o.retries,
      retryDelayMs: 10,
      onProgress: (p) => events.push(p),
      storage: o.estimate ? { estimate: async () => o.estimate } : undefined,
    });
    const hashes: Record<string, string> = {};
    for (const [name, source] of model.files) {
      // Odd-sized pieces, so reads straddle chunk boundaries.
      const h = new Sha256();
      for (let at = 0; at < source.size; at += 100_003) h.update(await source.read(at, Math.min(100_003, source.size - at)));
      hashes[name] = h.hex();
    }
    return { hashes, format: model.format, bytesDownloaded: model.bytesDownloaded, repairs: model.repairs.chunks, events };
  } catch (err) {
    return { error: errorToWire(err), events };
  }
}

/** Flips one byte of a stored chunk, as disk corruption would. */
async function flipByte(database: string, id: string, slot: number, chunk: number, at: number): Promise<void> {
  const store = createStore(database, 'entries');
  const key = `${modelKey(id)}/${slot}/${chunk}`;
  const value = await get<ArrayBuffer>(key, store);
  if (!value) throw new Error(`no chunk ${key}`);
  const bytes = new Uint8Array(value);
  bytes[at] ^= 0x01;
  await set(key, bytes.buffer, store);
}

const api = {
  load,
  flipByte,
  list: (database: string) => cacheFor({ database }).listModels(),
  deleteModel: (database: string, id: string) => cacheFor({ database }).deleteModel(id),
  clear: (database: string) => cacheFor({ database }).clear(),
  usage: (database: string) => cacheFor({ database }).usage(),
};
export type CacheTestApi = typeof api;
(globalThis as unknown as { cacheTest: CacheTestApi }).cacheTest = api;
document.getElementById('status')!.textContent = 'ready';
