/**
 * A small GGUF (v3) writer for tests: metadata of every value type, tensors laid out in order with
 * `general.alignment` padding, as llama.cpp's gguf.cpp requires (each tensor's offset == running data size).
 */
import { GgufType, type GgufTypeId } from '../../src/model/gguf';

export interface GgufMetaEntry {
  key: string;
  type: GgufTypeId;
  /** For ARRAY: the element values; for scalars: the value. */
  value: unknown;
  /** Element type when type is ARRAY. */
  arrayType?: GgufTypeId;
}

export interface GgufTensorEntry {
  name: string;
  /** ggml ne[]: innermost first. */
  dims: number[];
  ggmlType: number;
  data: Uint8Array;
}

/** Shorthands for metadata entries. */
export const meta = {
  str: (key: string, value: string): GgufMetaEntry => ({ key, type: GgufType.STRING, value }),
  u32: (key: string, value: number): GgufMetaEntry => ({ key, type: GgufType.UINT32, value }),
  i32: (key: string, value: number): GgufMetaEntry => ({ key, type: GgufType.INT32, value }),
  f32: (key: string, value: number): GgufMetaEntry => ({ key, type: GgufType.FLOAT32, value }),
  bool: (key: string, value: boolean): GgufMetaEntry => ({ key, type: GgufType.BOOL, value }),
  arr: (key: string, arrayType: GgufTypeId, value: unknown[]): GgufMetaEntry => ({ key, type: GgufType.ARRAY, arrayType, value }),
};

class Sink {
  private chunks: Uint8Array[] = [];
  size = 0;
  private scratch = new DataView(new ArrayBuffer(8));

  bytes(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.byteLength;
  }
  private fixed(n: number, write: (v: DataView) => void): void {
    write(this.scratch);
    this.bytes(new Uint8Array(this.scratch.buffer.slice(0, n)));
  }
  u8 = (v: number) => this.fixed(1, (d) => d.setUint8(0, v));
  i8 = (v: number) => this.fixed(1, (d) => d.setInt8(0, v));
  u16 = (v: number) => this.fixed(2, (d) => d.setUint16(0, v, true));
  i16 = (v: number) => this.fixed(2, (d) => d.setInt16(0, v, true));
  u32 = (v: number) => this.fixed(4, (d) => d.setUint32(0, v, true));
  i32 = (v: number) => this.fixed(4, (d) => d.setInt32(0, v, true));
  f32 = (v: number) => this.fixed(4, (d) => d.setFloat32(0, v, true));
  f64 = (v: number) => this.fixed(8, (d) => d.setFloat64(0, v, true));
  u64 = (v: number | bigint) => this.fixed(8, (d) => d.setBigUint64(0, BigInt(v), true));
  i64 = (v: number | bigint) => this.fixed(8, (d) => d.setBigInt64(0, BigInt(v), true));
  str(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(b.byteLength);
    this.bytes(b);
  }
  pad(alignment: number): void {
    const n = (alignment - (this.size % alignment)) % alignment;
    if (n) this.bytes(new Uint8Array(n));
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.byteLength;
    }
    return out;
  }
}

function writeValue(s: Sink, type: GgufTypeId, value: unknown, arrayType?: GgufTypeId): void {
  switch (type) {
    case GgufType.UINT8: return s.u8(value as number);
    case GgufType.INT8: return s.i8(value as number);
    case GgufType.UINT16: return s.u16(value as number);
    case GgufType.INT16: return s.i16(value as number);
    case GgufType.UINT32: return s.u32(value as number);
    case GgufType.INT32: return s.i32(value as number);
    case GgufType.FLOAT32: return s.f32(value as number);
    case GgufType.BOOL: return s.u8(value ? 1 : 0);
    case GgufType.STRING: return s.str(value as string);
    case GgufType.UINT64: return s.u64(value as number | bigint);
    case GgufType.INT64: return s.i64(value as number | bigint);
    case GgufType.FLOAT64: return s.f64(value as number);
    case GgufType.ARRAY: {
      const items = value as unknown[];
      s.u32(arrayType!);
      s.u64(items.length);
      for (const item of items) writeValue(s, arrayType!, item);
      return;
    }
  }
}

/** Serializes a GGUF file. `alignment` is written as general.alignment when not 32. */
export function writeGguf(metadata: GgufMetaEntry[], tensors: GgufTensorEntry[], alignment = 32): Uint8Array {
  const entries = alignment === 32 ? metadata : [...metadata, meta.u32('general.alignment', alignment)];
  const s = new Sink();
  s.bytes(new TextEncoder().encode('GGUF'));
  s.u32(3);
  s.u64(tensors.length);
  s.u64(entries.length);
  for (const e of entries) {
    s.str(e.key);
    s.u32(e.type);
    writeValue(s, e.type, e.value, e.arrayType);
  }
  let offset = 0;
  for (const t of tensors) {
    s.str(t.name);
    s.u32(t.dims.length);
    for (const d of t.dims) s.u64(d);
    s.u32(t.ggmlType);
    s.u64(offset);
    offset += Math.ceil(t.data.byteLength / alignment) * alignment;
  }
  s.pad(alignment);
  for (const t of tensors) {
    s.bytes(t.data);
    s.pad(alignment);
  }
  return s.concat();
}
