/**
 * IndexedDB backend through idb-keyval, in a database of its own so it never mixes with an app's data.
 * Schema version 1: one object store `entries`, string keys, ArrayBuffer values (manifests are UTF-8 JSON).
 * A later layout gets a new database name, and the old one is deleted, rather than an in-place migration.
 */
import { createStore, delMany, setMany, clear as clearStore, get, promisifyRequest, type UseStore } from 'idb-keyval';
import { ownBuffer, type CacheBackend, type StorageEstimateLike } from './backend';

export const IDB_DATABASE = 'foresight-cache-v1';
export const IDB_STORE = 'entries';

export interface IdbBackendOptions {
  /** Database name; tests use their own so they never touch a user's cache. */
  database?: string;
}

export function indexedDbBackend(options: IdbBackendOptions = {}): CacheBackend {
  const database = options.database ?? IDB_DATABASE;
  let store: UseStore | undefined;
  // Opened on first use, so that importing this module in a context without IndexedDB does not throw.
  const db = (): UseStore => (store ??= createStore(database, IDB_STORE));

  return {
    location: `IndexedDB "${database}"`,

    async get(key) {
      const value = await get<ArrayBuffer>(key, db());
      return value === undefined ? undefined : new Uint8Array(value);
    },

    async set(entries) {
      await setMany(entries.map(([k, v]) => [k, ownBuffer(v)] as [string, ArrayBuffer]), db());
    },

    async delete(keys) {
      if (keys.length > 0) await delMany([...keys], db());
    },

    async keys(prefix) {
      // '\uffff' sorts after every key character we use, so [prefix, prefix + '\uffff'] is "starts with".
      const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
      const keys = await db()('readonly', (s) => promisifyRequest(s.getAllKeys(range)));
      return (keys as string[]).sort();
    },

    async clear() {
      await clearStore(db());
    },

    async estimate(): Promise<StorageEstimateLike | undefined> {
      if (typeof navigator === 'undefined' || !navigator.storage?.estimate) return undefined;
      const { usage, quota } = await navigator.storage.estimate();
      return { usage, quota };
    },

    async persist() {
      if (typeof navigator === 'undefined' || !navigator.storage?.persist) return false;
      try {
        return await navigator.storage.persist();
      } catch {
        return false; // workers lack persist() in some browsers; not being persisted is not an error
      }
    },
  };
}
