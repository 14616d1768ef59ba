/**
 * The model cache: load a model's files (downloading what is missing), and manage what is cached.
 *
 *   const cache = openBrowserCache();             // IndexedDB "foresight-cache-v1"
 *   const model = await cache.load('hf:owner/repo', { onProgress });
 *   const config = JSON.parse(await model.text('config.json'));
 *   for (const w of model.weights) ...             // ByteSources for the parsers
 *   await cache.listModels(); await cache.deleteModel('hf:owner/repo'); await cache.clear();
 *
 * In Node, `openDirectoryCache()` from src/node/cache-dir.ts gives the same API over ~/.cache/foresight.
 */
import type { CacheBackend, StorageEstimateLike } from './backend';
import { indexedDbBackend, type IdbBackendOptions } from './idb-backend';
import { loadModel, type LoadedModel, type LoadOptions } from './load';
import { bytesStored, bytesTotal, fileIsComplete } from './manifest';
import { resolveSource, type ModelSourceSpec } from './source';
import { ModelStore } from './store';

export type { CacheBackend, StorageEstimateLike } from './backend';
export type { LoadedModel, LoadOptions } from './load';
export type { LoadProgress, ProgressListener } from './progress';
export type { ModelSourceSpec } from './source';
export { DEFAULT_CHUNK_SIZE } from './chunks';
export { IDB_DATABASE } from './idb-backend';

export interface CachedModelInfo {
  id: string;
  revision?: string;
  commit?: string;
  /** All files downloaded and checked. */
  complete: boolean;
  /** Bytes stored. */
  bytes: number;
  /** Bytes of the whole model, as far as known. */
  totalBytes: number;
  files: Array<{ name: string; size?: number; stored: number; complete: boolean }>;
  updatedAt: number;
}

export interface CacheUsage {
  /** Bytes stored for all models. */
  bytes: number;
  models: number;
  location: string;
  /** The storage estimate of the origin (browser) or the free disk space (directory), when available. */
  estimate?: StorageEstimateLike;
}

export interface ModelCache {
  readonly location: string;
  load(source: ModelSourceSpec, options?: LoadOptions): Promise<LoadedModel>;
  listModels(): Promise<CachedModelInfo[]>;
  /** Deletes one model (by source, e.g. `hf:owner/repo`, or by its id); false if it was not cached. */
  deleteModel(source: string): Promise<boolean>;
  clear(): Promise<void>;
  usage(): Promise<CacheUsage>;
}

export interface ModelCacheOptions {
  backend: CacheBackend;
  /** Defaults for every load (each load's own options win). */
  defaults?: LoadOptions;
}

export function createModelCache({ backend, defaults = {} }: ModelCacheOptions): ModelCache {
  const store = new ModelStore(backend);
  const idOf = (source: string, hubBase?: string) => {
    try {
      return resolveSource(source, hubBase).id;
    } catch {
      return source; // already an id, or something only listModels() knows
    }
  };

  const listModels = async (): Promise<CachedModelInfo[]> =>
    (await store.listManifests()).map((m) => ({
      id: m.id,
      revision: m.revision,
      commit: m.commit,
      complete: m.complete,
      bytes: bytesStored(m),
      totalBytes: bytesTotal(m),
      files: m.files
        .filter((f) => !f.absent)
        .map((f) => ({
          name: f.name,
          size: f.size,
          stored: Math.min(f.chunks.length * m.chunkSize, f.size ?? Infinity),
          complete: fileIsComplete(f, m.chunkSize),
        })),
      updatedAt: m.updatedAt,
    }));

  return {
    location: backend.location,
    load: (source, options) => loadModel(store, source, { ...defaults, ...options }),
    listModels,
    async deleteModel(source) {
      return store.deleteModel(idOf(source, defaults.hubBase));
    },
    clear: () => store.clear(),
    async usage() {
      const models = await listModels();
      return {
        bytes: models.reduce((n, m) => n + m.bytes, 0),
        models: models.length,
        location: backend.location,
        estimate: await backend.estimate().catch(() => undefined),
      };
    },
  };
}

/** The browser's cache, in IndexedDB (pages and workers). */
export function openBrowserCache(options: IdbBackendOptions & { defaults?: LoadOptions } = {}): ModelCache {
  return createModelCache({ backend: indexedDbBackend(options), defaults: options.defaults });
}
