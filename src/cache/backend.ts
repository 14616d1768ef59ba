/**
 * Where cached bytes live: a small key/value interface with two implementations, IndexedDB in browsers
 * (idb-backend.ts) and a directory in Node (src/node/cache-dir.ts). Everything above it (manifests,
 * chunking, resume, integrity, quota) is shared, so both run the same code paths.
 *
 * Keys are path-like ASCII strings (`[A-Za-z0-9._-]` segments separated by `/`), built by store.ts.
 */

export interface StorageEstimateLike {
  /** Bytes used by this origin (browser) or 0 (a directory). */
  usage?: number;
  /** Bytes this origin may use (browser) or free disk space plus usage (a directory). */
  quota?: number;
}

export interface CacheBackend {
  /** Where the data is, for messages: `IndexedDB "foresight-cache-v1"` or a directory path. */
  readonly location: string;
  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * Writes the entries in order; all or none where the backend can (IndexedDB: one transaction).
   * Out of space: rejects with an error that `isQuotaExceeded` recognises.
   */
  set(entries: ReadonlyArray<readonly [string, Uint8Array]>): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  /** Every key starting with `prefix`, sorted. */
  keys(prefix: string): Promise<string[]>;
  /** Removes everything this backend stored (and nothing else). */
  clear(): Promise<void>;
  /** Storage estimate, or undefined where there is no way to know. */
  estimate(): Promise<StorageEstimateLike | undefined>;
  /** Asks that the data not be evicted under storage pressure; true when granted. */
  persist(): Promise<boolean>;
}

/** True for the out-of-space errors of either backend (DOMException QuotaExceededError, ENOSPC, EDQUOT). */
export function isQuotaExceeded(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; inner?: unknown };
  return e.name === 'QuotaExceededError' || e.code === 'ENOSPC' || e.code === 'EDQUOT';
}

/** An exact copy of a view's bytes in an ArrayBuffer of its own (IndexedDB stores a view's whole buffer). */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : (bytes.slice().buffer as ArrayBuffer);
}
