import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../test/server/fixtures';
import { ChunkAccumulator, chunkCount, chunkRange, chunksCovering, validateChunkSize } from './chunks';

describe('chunk math', () => {
  it('counts and bounds chunks, the last one short', () => {
    expect(chunkCount(0, 64)).toBe(0);
    expect(chunkCount(64, 64)).toBe(1);
    expect(chunkCount(65, 64)).toBe(2);
    expect(chunkRange(1, 100, 64)).toEqual({ start: 64, end: 100 });
    expect(chunkRange(0, 100, 64)).toEqual({ start: 0, end: 64 });
  });

  it('finds the chunks covering a byte range', () => {
    expect(chunksCovering(0, 64, 64)).toEqual({ first: 0, last: 0 });
    expect(chunksCovering(63, 2, 64)).toEqual({ first: 0, last: 1 });
    expect(chunksCovering(128, 1, 64)).toEqual({ first: 2, last: 2 });
    expect(chunksCovering(10, 200, 64)).toEqual({ first: 0, last: 3 });
  });

  it('rejects chunk sizes that are not a multiple of 64 bytes', () => {
    expect(validateChunkSize(65536)).toBe(65536);
    expect(() => validateChunkSize(1000)).toThrow(/multiple of 64/);
    expect(() => validateChunkSize(0)).toThrow(/multiple of 64/);
  });
});

describe('ChunkAccumulator', () => {
  it('cuts arbitrary pieces into exact chunks and a short last one, with the bytes in order', () => {
    const data = randomBytes(1000, 9);
    const acc = new ChunkAccumulator(128);
    const chunks: Uint8Array[] = [];
    for (let at = 0, step = 1; at < data.length; at += step, step = (step * 5 + 11) % 257) {
      chunks.push(...acc.push(data.subarray(at, Math.min(at + step, data.length))));
    }
    const last = acc.flush();
    expect(chunks.every((c) => c.byteLength === 128)).toBe(true);
    expect(last?.byteLength).toBe(1000 % 128);
    expect(acc.flush()).toBeUndefined();
    const joined = new Uint8Array(1000);
    let at = 0;
    for (const c of [...chunks, last!]) {
      joined.set(c, at);
      at += c.byteLength;
    }
    expect(joined).toEqual(data);
  });

  it('hands out copies that later pushes do not overwrite', () => {
    const acc = new ChunkAccumulator(64);
    const [a] = acc.push(new Uint8Array(64).fill(1));
    acc.push(new Uint8Array(64).fill(2));
    expect(a.every((x) => x === 1)).toBe(true);
  });
});
