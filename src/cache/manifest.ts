/**
 * The manifest: what the cache holds for one model, stored next to its chunks and rewritten (in the same
 * transaction as the chunk, where the backend allows) after every chunk. Invariant: the manifest never
 * claims more than is stored. `chunks` lists the hashes of a contiguous prefix of a file's chunks, so the
 * resume point of a file is `chunks.length * chunkSize`; `complete` is set only after the size (and the
 * server's sha256, when it gave one) has been checked.
 */
import { chunkCount } from './chunks';

/** Bump when the stored layout changes; manifests of another version are treated as absent. */
export const SCHEMA_VERSION = 1;

export interface FileEntry {
  /** Path inside the model, e.g. `config.json`, `model-00001-of-00002.safetensors`, `q4/model.gguf`. */
  name: string;
  url: string;
  /** Storage slot of this file's chunks (stable for the manifest's life, unlike names, always key-safe). */
  slot: number;
  /** An optional file may be absent on the server (404) without failing the load. */
  optional: boolean;
  /** The server answered 404 for this optional file: loads from cache do not look for it again. */
  absent: boolean;
  /** Bytes; undefined until the server says (HEAD) or the download ends. */
  size?: number;
  /** The server's ETag: a resumed Range request whose answer has another ETag restarts the file. */
  etag?: string;
  /** The whole file's sha256 as published by the server (Hub LFS ETag, X-Linked-Etag), lowercase hex. */
  sha256?: string;
  /** sha256 of each stored chunk, chunk 0 first: a contiguous prefix of the file's chunks. */
  chunks: string[];
  /** Whole-file hasher state after `chunks` (only when `sha256` is known), see Sha256.saveState. */
  hashState?: string;
  complete: boolean;
}

export interface Manifest {
  schema: typeof SCHEMA_VERSION;
  /** Cache key of the model, e.g. `hf:owner/repo@main` or a URL. */
  id: string;
  /** Revision asked for (Hub), and the commit the server reported (X-Repo-Commit) when it did. */
  revision?: string;
  commit?: string;
  chunkSize: number;
  files: FileEntry[];
  /** The file list and the sizes are known (index fetched, HEADs done); a resumed load skips discovery. */
  discovered: boolean;
  /** Every file is complete or an absent optional file. */
  complete: boolean;
  createdAt: number;
  updatedAt: number;
}

export function newManifest(id: string, chunkSize: number, now = Date.now()): Manifest {
  return { schema: SCHEMA_VERSION, id, chunkSize, files: [], discovered: false, complete: false, createdAt: now, updatedAt: now };
}

export function newFileEntry(name: string, url: string, slot: number, optional: boolean): FileEntry {
  return { name, url, slot, optional, absent: false, chunks: [], complete: false };
}

/** Bytes of the file held in the store (the stored prefix). */
export function storedBytes(file: FileEntry, chunkSize: number): number {
  const prefix = file.chunks.length * chunkSize;
  return file.size === undefined ? prefix : Math.min(prefix, file.size);
}

/** Forget a file's stored data (its chunks must be deleted or overwritten by the caller). */
export function resetFile(file: FileEntry): void {
  file.chunks = [];
  file.hashState = undefined;
  file.complete = false;
}

/** A file is usable when it is marked complete and its chunk list matches its size. */
export function fileIsComplete(file: FileEntry, chunkSize: number): boolean {
  return file.complete && file.size !== undefined && file.chunks.length === chunkCount(file.size, chunkSize);
}

export function manifestIsComplete(m: Manifest): boolean {
  return m.discovered && m.files.every((f) => (f.optional && f.absent) || fileIsComplete(f, m.chunkSize));
}

/** Bytes still to download (files of unknown size count 0). */
export function bytesMissing(m: Manifest): number {
  let n = 0;
  for (const f of m.files) if (!f.absent && f.size !== undefined) n += f.size - storedBytes(f, m.chunkSize);
  return n;
}

export function bytesTotal(m: Manifest): number {
  let n = 0;
  for (const f of m.files) if (!f.absent) n += f.size ?? 0;
  return n;
}

export function bytesStored(m: Manifest): number {
  let n = 0;
  for (const f of m.files) n += storedBytes(f, m.chunkSize);
  return n;
}

export function encodeManifest(m: Manifest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(m));
}

/**
 * Parses a stored manifest. Returns undefined for another schema version or anything malformed, so that
 * the model is treated as not cached (and downloaded again) rather than loaded from doubtful data.
 */
export function decodeManifest(bytes: Uint8Array): Manifest | undefined {
  let m: unknown;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (!isRecord(m) || m.schema !== SCHEMA_VERSION || typeof m.id !== 'string' || !Array.isArray(m.files)) return undefined;
  if (typeof m.chunkSize !== 'number' || m.chunkSize <= 0 || m.chunkSize % 64 !== 0) return undefined;
  const chunkSize = m.chunkSize;
  for (const f of m.files as unknown[]) {
    if (!isRecord(f) || typeof f.name !== 'string' || typeof f.url !== 'string' || typeof f.slot !== 'number') return undefined;
    if (!Array.isArray(f.chunks) || !f.chunks.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) return undefined;
    if (f.size !== undefined && (typeof f.size !== 'number' || f.chunks.length > chunkCount(f.size, chunkSize))) return undefined;
  }
  const manifest = m as unknown as Manifest;
  // A complete flag that the chunk lists do not back up is not trusted.
  for (const f of manifest.files) if (f.complete && !fileIsComplete(f, chunkSize)) f.complete = false;
  manifest.complete = manifest.complete && manifestIsComplete(manifest);
  return manifest;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
