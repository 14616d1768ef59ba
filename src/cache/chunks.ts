/**
 * Fixed-size chunking of a file: the unit of storage, resume and integrity checking.
 * A file of `size` bytes is chunks [0, n) with n = ceil(size / chunkSize); every chunk is `chunkSize`
 * bytes except the last. A chunk size is a multiple of 64 so the whole-file SHA-256 state can be saved
 * at every chunk boundary (see sha256.ts).
 */
import { InvalidArgumentError } from '../errors';

export const DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;

export function validateChunkSize(chunkSize: number): number {
  if (!Number.isInteger(chunkSize) || chunkSize < 64 || chunkSize % 64 !== 0 || chunkSize > 256 * 1024 * 1024) {
    throw new InvalidArgumentError(`chunkSize must be a multiple of 64 bytes between 64 B and 256 MiB, got ${chunkSize}`);
  }
  return chunkSize;
}

export function chunkCount(size: number, chunkSize: number): number {
  return Math.ceil(size / chunkSize);
}

/** Byte range [start, end) of chunk `index` of a file of `size` bytes. */
export function chunkRange(index: number, size: number, chunkSize: number): { start: number; end: number } {
  const start = index * chunkSize;
  return { start, end: Math.min(start + chunkSize, size) };
}

/** Indices of the chunks that hold bytes [offset, offset + length). */
export function chunksCovering(offset: number, length: number, chunkSize: number): { first: number; last: number } {
  return { first: Math.floor(offset / chunkSize), last: Math.floor((offset + Math.max(length, 1) - 1) / chunkSize) };
}

/**
 * Cuts a stream of arbitrary pieces into chunks of exactly `chunkSize` bytes. `push` returns the chunks
 * completed by that piece, each in a buffer of its own that the caller keeps (no copy: a full buffer is
 * handed over and a new one started); `flush` returns the last, shorter chunk if any.
 */
export class ChunkAccumulator {
  private buffer: Uint8Array;
  private filled = 0;

  constructor(readonly chunkSize: number) {
    this.buffer = new Uint8Array(chunkSize);
  }

  /** Bytes held that do not yet make a whole chunk. */
  get pendingBytes(): number {
    return this.filled;
  }

  push(piece: Uint8Array): Uint8Array[] {
    const done: Uint8Array[] = [];
    let at = 0;
    while (at < piece.byteLength) {
      const take = Math.min(this.chunkSize - this.filled, piece.byteLength - at);
      this.buffer.set(piece.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.chunkSize) {
        done.push(this.buffer);
        this.buffer = new Uint8Array(this.chunkSize);
        this.filled = 0;
      }
    }
    return done;
  }

  flush(): Uint8Array | undefined {
    if (this.filled === 0) return undefined;
    const last = this.buffer.slice(0, this.filled);
    this.filled = 0;
    return last;
  }
}
