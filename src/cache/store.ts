/**
 * Manifests and chunks on a CacheBackend. Key layout (schema v1):
 *   <model>/manifest        the manifest, UTF-8 JSON
 *   <model>/<slot>/<chunk>  chunk `chunk` of the file in slot `slot`
 * where <model> is a key-safe slug of the model id plus a hash of it.
 *
 * All writes go through one queue, and a chunk and the manifest that lists it are written together
 * (one IndexedDB transaction; chunk file, then manifest file, in a directory). A manifest snapshot is only
 * taken inside the queue, after the chunks it lists are written, so it never lists a chunk that is not stored.
 */
import { LoadError, QuotaError } from '../errors';
import { isQuotaExceeded, type CacheBackend } from './backend';
import { decodeManifest, encodeManifest, type FileEntry, type Manifest } from './manifest';
import { Sha256 } from './sha256';

export function modelKey(id: string): string {
  const slug = id.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 64);
  return `${slug}-${new Sha256().update(new TextEncoder().encode(id)).hex().slice(0, 12)}`;
}

const manifestKey = (id: string) => `${modelKey(id)}/manifest`;
const chunkKey = (id: string, slot: number, index: number) => `${modelKey(id)}/${slot}/${index}`;

export class ModelStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly backend: CacheBackend) {}

  async getManifest(id: string): Promise<Manifest | undefined> {
    const bytes = await this.guard(`reading the manifest of ${id}`, () => this.backend.get(manifestKey(id)));
    const m = bytes && decodeManifest(bytes);
    return m && m.id === id ? m : undefined;
  }

  /** Every readable manifest in the store. */
  async listManifests(): Promise<Manifest[]> {
    const keys = await this.guard('listing the cache', () => this.backend.keys(''));
    const out: Manifest[] = [];
    for (const key of keys.filter((k) => k.endsWith('/manifest'))) {
      const bytes = await this.guard(`reading ${key}`, () => this.backend.get(key));
      const m = bytes && decodeManifest(bytes);
      if (m) out.push(m);
    }
    return out;
  }

  saveManifest(m: Manifest): Promise<void> {
    return this.serial(`writing the manifest of ${m.id}`, () => {
      m.updatedAt = Date.now();
      return this.backend.set([[manifestKey(m.id), encodeManifest(m)]]);
    });
  }

  /**
   * Stores chunk `file.chunks.length` of `file` and the manifest that lists it (with its hash and the
   * whole-file hasher state after it). On failure the manifest object is left as it was.
   */
  commitChunk(m: Manifest, file: FileEntry, bytes: Uint8Array, hash: string, hashState?: string): Promise<void> {
    return this.serial(`writing chunk ${file.chunks.length} of ${file.name}`, async () => {
      const index = file.chunks.length;
      const previousState = file.hashState;
      file.chunks.push(hash);
      file.hashState = hashState;
      m.updatedAt = Date.now();
      try {
        await this.backend.set([
          [chunkKey(m.id, file.slot, index), bytes],
          [manifestKey(m.id), encodeManifest(m)],
        ]);
      } catch (err) {
        file.chunks.pop();
        file.hashState = previousState;
        throw err;
      }
    });
  }

  /** Rewrites one already-listed chunk (repair after a failed check); the manifest does not change. */
  rewriteChunk(m: Manifest, file: FileEntry, index: number, bytes: Uint8Array): Promise<void> {
    return this.serial(`rewriting chunk ${index} of ${file.name}`, () =>
      this.backend.set([[chunkKey(m.id, file.slot, index), bytes]]),
    );
  }

  readChunk(m: Manifest, file: FileEntry, index: number): Promise<Uint8Array | undefined> {
    return this.guard(`reading chunk ${index} of ${file.name}`, () => this.backend.get(chunkKey(m.id, file.slot, index)));
  }

  /** Deletes every stored chunk of a file (after its entry was reset). */
  deleteFileChunks(m: Manifest, file: FileEntry): Promise<void> {
    return this.serial(`deleting the chunks of ${file.name}`, async () => {
      const keys = await this.backend.keys(`${modelKey(m.id)}/${file.slot}/`);
      await this.backend.delete(keys);
    });
  }

  /** Chunks the manifest lists that have no entry in the store (cheap: one key listing, no data read). */
  async missingChunks(m: Manifest): Promise<Array<{ file: FileEntry; index: number }>> {
    const keys = new Set(await this.guard(`listing the chunks of ${m.id}`, () => this.backend.keys(`${modelKey(m.id)}/`)));
    const missing: Array<{ file: FileEntry; index: number }> = [];
    for (const file of m.files) {
      for (let i = 0; i < file.chunks.length; i++) if (!keys.has(chunkKey(m.id, file.slot, i))) missing.push({ file, index: i });
    }
    return missing;
  }

  /** Deletes a model's manifest (first, so a half-deleted model is never taken as cached) and chunks. */
  deleteModel(id: string): Promise<boolean> {
    return this.serial(`deleting ${id}`, async () => {
      const keys = await this.backend.keys(`${modelKey(id)}/`);
      if (keys.length === 0) return false;
      await this.backend.delete([manifestKey(id)]);
      await this.backend.delete(keys);
      return true;
    });
  }

  clear(): Promise<void> {
    return this.serial('clearing the cache', () => this.backend.clear());
  }

  /** Runs a write after every earlier one, with errors typed. */
  private serial<T>(what: string, op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => this.guard(what, op));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async guard<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (isQuotaExceeded(err)) {
        throw new QuotaError(`${this.backend.location}: out of storage space while ${what}`, undefined, undefined, { cause: err });
      }
      if (err instanceof LoadError || err instanceof QuotaError) throw err;
      const detail = err instanceof Error ? err.message : String(err);
      throw new LoadError('storage', `${this.backend.location}: ${what} failed: ${detail}`, { cause: err });
    }
  }
}
