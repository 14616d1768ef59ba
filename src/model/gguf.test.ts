import { describe, expect, it } from 'vitest';
import { type GgufMetaEntry, meta, writeGguf } from '../../test/utils/gguf-writer';
import { encodeF16, encodeF32, quantizeQ8_0 } from '../../test/utils/quantize';
import { type ByteSource, bytesSource } from './byte-source';
import { GgufType, readGgufHeader, readGgufTensorBytes } from './gguf';
import { decodeToF32 } from './quant';

const ALL_TYPES: GgufMetaEntry[] = [
  { key: 'u8', type: GgufType.UINT8, value: 250 },
  { key: 'i8', type: GgufType.INT8, value: -120 },
  { key: 'u16', type: GgufType.UINT16, value: 65000 },
  { key: 'i16', type: GgufType.INT16, value: -32000 },
  { key: 'u32', type: GgufType.UINT32, value: 4_000_000_000 },
  { key: 'i32', type: GgufType.INT32, value: -2_000_000_000 },
  { key: 'f32', type: GgufType.FLOAT32, value: 0.5 },
  { key: 'bool', type: GgufType.BOOL, value: true },
  { key: 'string', type: GgufType.STRING, value: 'héllo ✓' },
  { key: 'u64', type: GgufType.UINT64, value: 2n ** 60n + 1n },
  { key: 'u64.small', type: GgufType.UINT64, value: 12345 },
  { key: 'i64', type: GgufType.INT64, value: -(2n ** 40n) },
  { key: 'f64', type: GgufType.FLOAT64, value: Math.PI },
  meta.arr('arr.str', GgufType.STRING, ['a', '', 'ccc']),
  meta.arr('arr.f32', GgufType.FLOAT32, [1, -2.5, 3]),
  meta.arr('arr.i32', GgufType.INT32, [-1, 7]),
  meta.arr('arr.empty', GgufType.UINT8, []),
  { key: 'arr.nested', type: GgufType.ARRAY, arrayType: GgufType.ARRAY, value: [] },
];

function sample(alignment = 32) {
  const a = Float32Array.from({ length: 6 }, (_, i) => i - 2.5); // (2, 3)
  const b = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i)); // (64)
  return writeGguf(
    ALL_TYPES,
    [
      { name: 'a', dims: [3, 2], ggmlType: 0, data: encodeF32(a) },
      { name: 'b.f16', dims: [64], ggmlType: 1, data: encodeF16(b) },
      { name: 'b.q8', dims: [32, 2], ggmlType: 8, data: quantizeQ8_0(b) },
    ],
    alignment,
  );
}

/** Counts which byte ranges a parser reads. */
function spy(source: ByteSource) {
  const reads: [number, number][] = [];
  return {
    reads,
    source: { name: source.name, size: source.size, read: (o: number, n: number) => (reads.push([o, n]), source.read(o, n)) },
  };
}

describe('readGgufHeader', () => {
  it('reads every metadata value type', async () => {
    const f = await readGgufHeader(bytesSource('t.gguf', sample()));
    expect(f.version).toBe(3);
    expect(f.metadata.get('u8')).toBe(250);
    expect(f.metadata.get('i8')).toBe(-120);
    expect(f.metadata.get('u16')).toBe(65000);
    expect(f.metadata.get('i16')).toBe(-32000);
    expect(f.metadata.get('u32')).toBe(4_000_000_000);
    expect(f.metadata.get('i32')).toBe(-2_000_000_000);
    expect(f.metadata.get('f32')).toBe(0.5);
    expect(f.metadata.get('bool')).toBe(true);
    expect(f.metadata.get('string')).toBe('héllo ✓');
    expect(f.metadata.get('u64')).toBe(2n ** 60n + 1n); // not a safe integer: stays a bigint
    expect(f.metadata.get('u64.small')).toBe(12345);
    expect(f.metadata.get('i64')).toBe(-(2 ** 40));
    expect(f.metadata.get('f64')).toBe(Math.PI);
    expect(f.metadata.get('arr.str')).toEqual(['a', '', 'ccc']);
    expect(f.metadata.get('arr.f32')).toEqual([1, -2.5, 3]);
    expect(f.metadata.get('arr.i32')).toEqual([-1, 7]);
    expect(f.metadata.get('arr.empty')).toEqual([]);
    expect(f.metadata.get('arr.nested')).toEqual([]);
  });

  it('gives tensor infos with absolute, aligned offsets, and reads tensor data on demand', async () => {
    for (const alignment of [32, 64]) {
      const bytes = sample(alignment);
      const src = bytesSource('t.gguf', bytes);
      const f = await readGgufHeader(src);
      expect(f.alignment).toBe(alignment);
      expect(f.dataOffset % alignment).toBe(0);
      expect(f.tensors.map((t) => [t.name, t.dims, t.dtype, t.byteLength])).toEqual([
        ['a', [3, 2], 'f32', 24],
        ['b.f16', [64], 'f16', 128],
        ['b.q8', [32, 2], 'q8_0', 68],
      ]);
      for (const t of f.tensors) expect((t.offset - f.dataOffset) % alignment).toBe(0);
      const a = decodeToF32('f32', await readGgufTensorBytes(src, f.tensors[0]), 6);
      expect([...a]).toEqual([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]);
      const b = decodeToF32('f16', await readGgufTensorBytes(src, f.tensors[1]), 64);
      expect(b[10]).toBeCloseTo(Math.sin(10), 3);
    }
  });

  it('reads the header in chunks and never touches the tensor data', async () => {
    const bytes = sample();
    const whole = await readGgufHeader(bytesSource('t.gguf', bytes));
    const { reads, source } = spy(bytesSource('t.gguf', bytes));
    const chunked = await readGgufHeader(source, { chunkSize: 7 });
    expect(chunked.metadata).toEqual(whole.metadata);
    expect(chunked.tensors).toEqual(whole.tensors);
    expect(reads.length).toBeGreaterThan(10);
    for (const [o, n] of reads) expect(o + n).toBeLessThanOrEqual(whole.dataOffset);
  });

  it('rejects a file that is not GGUF, naming the file', async () => {
    const bad = bytesSource('weights.bin', new TextEncoder().encode('PK\u0003\u0004 zip file, not a model'));
    await expect(readGgufHeader(bad)).rejects.toMatchObject({ code: 'model-format', message: expect.stringMatching(/weights\.bin: not a GGUF file/) });
    await expect(readGgufHeader(bytesSource('tiny', new Uint8Array(2)))).rejects.toMatchObject({ code: 'model-format' });
  });

  it('rejects unsupported versions', async () => {
    const bytes = sample();
    new DataView(bytes.buffer).setUint32(4, 1, true);
    await expect(readGgufHeader(bytesSource('old.gguf', bytes))).rejects.toThrow(/old\.gguf: unsupported GGUF version 1/);
    new DataView(bytes.buffer).setUint32(4, 3, false); // a big-endian file
    await expect(readGgufHeader(bytesSource('be.gguf', bytes))).rejects.toThrow(/big-endian/);
  });

  it('rejects a file truncated anywhere with a typed error, never a hang or a RangeError', async () => {
    const bytes = sample();
    const f = await readGgufHeader(bytesSource('t.gguf', bytes));
    const lastEnd = Math.max(...f.tensors.map((t) => t.offset + t.byteLength!));
    for (let cut = 0; cut < lastEnd; cut += 7) {
      const err = await readGgufHeader(bytesSource('cut.gguf', bytes.subarray(0, cut))).then(
        () => undefined,
        (e) => e,
      );
      expect(err, `cut at ${cut}`).toMatchObject({ code: 'model-format', message: expect.stringMatching(/^cut\.gguf: /) });
    }
  });

  it('rejects absurd counts and lengths instead of allocating them', async () => {
    const bytes = sample();
    const v = new DataView(bytes.buffer);
    const corrupt = new Uint8Array(bytes);
    new DataView(corrupt.buffer).setBigUint64(8, 2n ** 40n, true); // tensor count
    await expect(readGgufHeader(bytesSource('c.gguf', corrupt))).rejects.toThrow(/c\.gguf: .*truncated or corrupt/);
    const longKey = new Uint8Array(bytes);
    new DataView(longKey.buffer).setBigUint64(24, BigInt(v.byteLength * 10), true); // first key length
    await expect(readGgufHeader(bytesSource('k.gguf', longKey))).rejects.toThrow(/k\.gguf: .*metadata key #0/);
  });

  it('reports an unknown tensor type by name when its data is read', async () => {
    const bytes = writeGguf([], [{ name: 'blk.0.ffn_up.weight', dims: [256], ggmlType: 10, data: new Uint8Array(84) }]);
    const src = bytesSource('k.gguf', bytes);
    const f = await readGgufHeader(src);
    expect(f.tensors[0].dtype).toBeUndefined();
    await expect(readGgufTensorBytes(src, f.tensors[0])).rejects.toMatchObject({
      code: 'unsupported-dtype',
      message: expect.stringMatching(/blk\.0\.ffn_up\.weight has type Q2_K/),
    });
  });
});
