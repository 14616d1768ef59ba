/**
 * A ByteSource over a file in the cache. `read(offset, length)` assembles the bytes from the chunks that
 * hold them, keeping the last two chunks in memory (parsers read a header, then tensors in order).
 * Each chunk is checked when it comes out of storage (length, and its sha256 against the manifest), so
 * a corrupt or truncated chunk is never handed to a parser: it is fetched again through `repair`, or the
 * read fails with LoadError('integrity') naming the file and chunk.
 */
import { LoadError, ModelFormatError } from '../errors';
import type { ByteSource } from '../model/byte-source';
import { chunkRange, chunksCovering } from './chunks';
import type { FileEntry, Manifest } from './manifest';
import { sha256Hex } from './sha256';
import type { ModelStore } from './store';

export interface CachedFileOptions {
  store: ModelStore;
  manifest: Manifest;
  file: FileEntry;
  /** Check each chunk's sha256 on load (default true). */
  verify?: boolean;
  /** Fetches a bad chunk again; absent (offline use) means a bad chunk fails the read. */
  repair?: (file: FileEntry, index: number, why: string) => Promise<Uint8Array>;
  /** Chunks kept in memory (default 2). */
  keep?: number;
}

export function cachedFileSource(options: CachedFileOptions): ByteSource {
  const { store, manifest, file, verify = true, repair, keep = 2 } = options;
  const size = file.size ?? 0;
  const { chunkSize } = manifest;
  const recent = new Map<number, Promise<Uint8Array>>(); // insertion order = recency

  const loadChunk = async (index: number): Promise<Uint8Array> => {
    const { start, end } = chunkRange(index, size, chunkSize);
    const bytes = await store.readChunk(manifest, file, index);
    let why: string | undefined;
    if (!bytes) why = 'missing';
    else if (bytes.byteLength !== end - start) why = `truncated (${bytes.byteLength} of ${end - start} bytes)`;
    else if (verify && (await sha256Hex(bytes)) !== file.chunks[index]) why = 'corrupt (sha256 mismatch)';
    if (why === undefined) return bytes!;
    if (!repair) {
      throw new LoadError(
        'integrity',
        `${file.name}: chunk ${index} (bytes ${start}-${end - 1}) in ${store.backend.location} is ${why}; load the model with the network on to repair it`,
      );
    }
    return repair(file, index, why);
  };

  const chunk = (index: number): Promise<Uint8Array> => {
    let p = recent.get(index);
    if (p) {
      recent.delete(index);
    } else {
      p = loadChunk(index);
      p.catch(() => recent.delete(index));
    }
    recent.set(index, p);
    while (recent.size > keep) recent.delete(recent.keys().next().value!);
    return p;
  };

  return {
    name: file.name,
    size,
    async read(offset, length) {
      if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw new ModelFormatError(
          'model-format',
          `${file.name}: read of bytes [${offset}, ${offset + length}) is past the end of the file (${size} bytes); the file is truncated`,
        );
      }
      if (length === 0) return new Uint8Array(0);
      const { first, last } = chunksCovering(offset, length, chunkSize);
      if (first === last) {
        const bytes = await chunk(first);
        const at = offset - first * chunkSize;
        return bytes.subarray(at, at + length);
      }
      const out = new Uint8Array(length); // (length,) assembled from chunks first..last
      for (let i = first; i <= last; i++) {
        const bytes = await chunk(i);
        const chunkStart = i * chunkSize;
        const from = Math.max(offset, chunkStart);
        const to = Math.min(offset + length, chunkStart + bytes.byteLength);
        out.set(bytes.subarray(from - chunkStart, to - chunkStart), from - offset);
      }
      return out;
    },
  };
}
