/**
 * GGUF reader (llama.cpp's model file format, versions 2 and 3, little-endian).
 *
 * Layout:
 *   magic "GGUF" | u32 version | u64 tensor_count | u64 kv_count
 *   kv_count   x (string key | u32 value_type | value)
 *   tensor_count x (string name | u32 n_dims | u64 ne[n_dims] (innermost first) | u32 ggml_type | u64 offset)
 *   padding to `general.alignment` (default 32), then the data section; each tensor's offset is relative to it.
 * Strings are u64 length + UTF-8 bytes; arrays are u32 element type + u64 count + elements.
 *
 * Only the header is read up front, in chunks through a ByteSource; tensor data is read on demand.
 * We parse it ourselves rather than with `@huggingface/gguf`: the format is small, that package reads through
 * `fetch` (URLs) rather than our ByteSource, and our own reader can name the file and field in typed errors.
 */
import type { ByteSource } from './byte-source';
import { ModelFormatError } from '../errors';
import type { TensorDtype } from './weights';
import { dtypeBlockSize, dtypeByteLength } from './quant';

export const GGUF_MAGIC = 'GGUF';
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types (gguf.h `enum gguf_type`). */
export const GgufType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
export type GgufTypeId = (typeof GgufType)[keyof typeof GgufType];

/** A metadata value. 64-bit integers are numbers when exactly representable, else bigint. */
export type GgufValue = number | bigint | boolean | string | GgufValue[];

/** ggml tensor element types we decode, by ggml type id (ggml.h `enum ggml_type`). */
export const GGML_TYPE_IDS: Readonly<Record<TensorDtype, number>> = {
  f32: 0, f16: 1, q4_0: 2, q4_1: 3, q5_0: 6, q5_1: 7, q8_0: 8, q4_k: 12, q5_k: 13, q6_k: 14, q8_k: 15, bf16: 30,
};
export const GGML_DTYPES: Readonly<Record<number, TensorDtype>> = Object.fromEntries(
  Object.entries(GGML_TYPE_IDS).map(([dtype, id]) => [id, dtype as TensorDtype]),
);

const GGML_TYPE_NAMES = [
  'F32', 'F16', 'Q4_0', 'Q4_1', 'Q4_2', 'Q4_3', 'Q5_0', 'Q5_1', 'Q8_0', 'Q8_1', 'Q2_K', 'Q3_K', 'Q4_K', 'Q5_K',
  'Q6_K', 'Q8_K', 'IQ2_XXS', 'IQ2_XS', 'IQ3_XXS', 'IQ1_S', 'IQ4_NL', 'IQ3_S', 'IQ2_S', 'IQ4_XS', 'I8', 'I16', 'I32',
  'I64', 'F64', 'IQ1_M', 'BF16', 'Q4_0_4_4', 'Q4_0_4_8', 'Q4_0_8_8', 'TQ1_0', 'TQ2_0', 'IQ4_NL_4_4', 'IQ4_NL_4_8',
  'IQ4_NL_8_8', 'MXFP4', 'NVFP4', 'Q1_0', 'Q2_0',
];

/** The ggml types we decode, by name, for error messages. */
export const SUPPORTED_GGML_TYPES = Object.values(GGML_TYPE_IDS)
  .sort((a, b) => a - b)
  .map((id) => ggmlTypeName(id))
  .join(', ');

export function ggmlTypeName(type: number): string {
  return GGML_TYPE_NAMES[type] ?? `ggml type ${type}`;
}

export interface GgufTensorInfo {
  name: string;
  /** ggml's ne[]: innermost (contiguous) dimension first. */
  dims: number[];
  ggmlType: number;
  /** Our dtype, or undefined when we cannot decode this ggml type. */
  dtype: TensorDtype | undefined;
  /** Absolute byte offset of the data in the file. */
  offset: number;
  /** Bytes of data; undefined for types we cannot decode. */
  byteLength: number | undefined;
}

export interface GgufFile {
  /** File name (from the ByteSource), for error messages. */
  name: string;
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute offset of the data section. */
  dataOffset: number;
}

const MAX_DIMS = 4; // GGML_MAX_DIMS

function formatError(file: string, message: string): ModelFormatError {
  return new ModelFormatError('model-format', `${file}: ${message}`);
}

/** Reads the header sequentially, fetching the ByteSource in chunks. */
class HeaderReader {
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private bufStart = 0;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(
    private readonly src: ByteSource,
    private readonly chunk: number,
  ) {}

  /** Makes bytes [pos, pos + n) available; `what` names the field for the truncation error. */
  async need(n: number, what: string): Promise<void> {
    if (this.pos + n <= this.bufStart + this.buf.byteLength) return;
    if (this.pos + n > this.src.size) {
      throw formatError(this.src.name, `file is truncated: ${what} at byte ${this.pos} needs ${n} bytes, file has ${this.src.size}`);
    }
    const len = Math.min(this.src.size - this.pos, Math.max(n, this.chunk));
    this.buf = await this.src.read(this.pos, len);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.bufStart = this.pos;
  }

  has(n: number): boolean {
    return this.pos + n <= this.bufStart + this.buf.byteLength;
  }

  remaining(): number {
    return this.src.size - this.pos;
  }

  private at(n: number): number {
    const o = this.pos - this.bufStart;
    this.pos += n;
    return o;
  }

  u8 = () => this.view.getUint8(this.at(1));
  i8 = () => this.view.getInt8(this.at(1));
  u16 = () => this.view.getUint16(this.at(2), true);
  i16 = () => this.view.getInt16(this.at(2), true);
  u32 = () => this.view.getUint32(this.at(4), true);
  i32 = () => this.view.getInt32(this.at(4), true);
  f32 = () => this.view.getFloat32(this.at(4), true);
  f64 = () => this.view.getFloat64(this.at(8), true);
  u64 = (): number | bigint => narrow(this.view.getBigUint64(this.at(8), true));
  i64 = (): number | bigint => narrow(this.view.getBigInt64(this.at(8), true));

  /** A u64 that must be a safe integer (a count, size or offset). */
  async count(what: string): Promise<number> {
    await this.need(8, what);
    const v = this.view.getBigUint64(this.at(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw formatError(this.src.name, `${what} is ${v}, too large`);
    return Number(v);
  }

  async string(what: string): Promise<string> {
    const len = await this.count(`length of ${what}`);
    if (len > this.remaining()) {
      throw formatError(this.src.name, `file is truncated or corrupt: ${what} claims ${len} bytes, ${this.remaining()} remain`);
    }
    if (!this.has(len)) await this.need(len, what);
    const o = this.at(len);
    return this.decoder.decode(this.buf.subarray(o, o + len));
  }
}

/** The shortest decimal that rounds to the same f32, so 1e-5 stored as f32 reads back as 1e-5 (as in config.json). */
function shortestF32(x: number): number {
  for (let p = 1; p < 10; p++) {
    const d = Number(x.toPrecision(p));
    if (Math.fround(d) === x) return d;
  }
  return x;
}

function narrow(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

const SCALAR_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

async function readValue(r: HeaderReader, type: number, key: string, file: string, depth = 0): Promise<GgufValue> {
  const size = SCALAR_SIZE[type];
  if (size !== undefined) {
    if (!r.has(size)) await r.need(size, `value of ${key}`);
    return readScalar(r, type);
  }
  if (type === GgufType.STRING) return r.string(`value of ${key}`);
  if (type === GgufType.ARRAY) {
    if (depth > 4) throw formatError(file, `metadata ${key}: arrays nested too deeply`);
    await r.need(4, `array type of ${key}`);
    const elemType = r.u32();
    const n = await r.count(`array length of ${key}`);
    const minSize = SCALAR_SIZE[elemType] ?? 8; // strings and arrays take at least 8 bytes each
    if (n * minSize > r.remaining()) {
      throw formatError(file, `file is truncated or corrupt: metadata ${key} claims ${n} elements, ${r.remaining()} bytes remain`);
    }
    const out: GgufValue[] = new Array(n);
    const elemSize = SCALAR_SIZE[elemType];
    if (elemSize !== undefined) {
      await r.need(n * elemSize, `elements of ${key}`);
      for (let i = 0; i < n; i++) out[i] = readScalar(r, elemType);
    } else {
      for (let i = 0; i < n; i++) out[i] = await readValue(r, elemType, `${key}[${i}]`, file, depth + 1);
    }
    return out;
  }
  throw formatError(file, `metadata ${key} has unknown value type ${type}`);
}

function readScalar(r: HeaderReader, type: number): GgufValue {
  switch (type) {
    case GgufType.UINT8: return r.u8();
    case GgufType.INT8: return r.i8();
    case GgufType.UINT16: return r.u16();
    case GgufType.INT16: return r.i16();
    case GgufType.UINT32: return r.u32();
    case GgufType.INT32: return r.i32();
    case GgufType.FLOAT32: return shortestF32(r.f32());
    case GgufType.BOOL: return r.u8() !== 0;
    case GgufType.UINT64: return r.u64();
    case GgufType.INT64: return r.i64();
    case GgufType.FLOAT64: return r.f64();
  }
  throw new Error(`not a scalar GGUF type: ${type}`);
}

/**
 * Reads a GGUF file's header: metadata and tensor infos (not the tensor data).
 * Throws ModelFormatError('model-format') naming the file for a bad magic, an unsupported version,
 * a truncated header or tensor data that would run past the end of the file.
 */
export async function readGgufHeader(source: ByteSource, opts: { chunkSize?: number } = {}): Promise<GgufFile> {
  const file = source.name;
  const r = new HeaderReader(source, opts.chunkSize ?? 1 << 20);
  if (source.size < 4) throw formatError(file, `not a GGUF file (${source.size} bytes, too short for a header)`);
  await r.need(Math.min(24, source.size), 'header');
  const magic = String.fromCharCode(r.u8(), r.u8(), r.u8(), r.u8());
  if (magic !== GGUF_MAGIC) {
    throw formatError(file, `not a GGUF file (magic ${JSON.stringify(magic)}, expected "GGUF")`);
  }
  await r.need(4, 'version');
  const version = r.u32();
  if (version !== 2 && version !== 3) {
    const hint = version > 0xffff ? ' (a big-endian file?)' : version === 1 ? ' (GGUF v1 is obsolete)' : '';
    throw formatError(file, `unsupported GGUF version ${version}${hint}; versions 2 and 3 are supported`);
  }
  const nTensors = await r.count('tensor count');
  const nKv = await r.count('metadata count');
  // Each metadata entry takes >= 8+1+4+1 bytes and each tensor info >= 8+4+4+8 bytes: reject absurd counts early.
  if (nKv * 13 + nTensors * 24 > r.remaining()) {
    throw formatError(file, `file is truncated or corrupt: header claims ${nTensors} tensors and ${nKv} metadata entries`);
  }

  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < nKv; i++) {
    const key = await r.string(`metadata key #${i}`);
    await r.need(4, `value type of ${key}`);
    const type = r.u32();
    metadata.set(key, await readValue(r, type, key, file));
  }

  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const a = metadata.get('general.alignment');
  if (a !== undefined) {
    if (typeof a !== 'number' || a <= 0 || (a & (a - 1)) !== 0) {
      throw formatError(file, `general.alignment must be a power of two, got ${String(a)}`);
    }
    alignment = a;
  }

  const infos: { name: string; dims: number[]; ggmlType: number; rel: number }[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = await r.string(`name of tensor #${i}`);
    await r.need(4, `dimension count of tensor ${name}`);
    const nDims = r.u32();
    if (nDims < 1 || nDims > MAX_DIMS) throw formatError(file, `tensor ${name} has ${nDims} dimensions (1..${MAX_DIMS} allowed)`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(await r.count(`dimension ${d} of tensor ${name}`));
    await r.need(4, `type of tensor ${name}`);
    const ggmlType = r.u32();
    const rel = await r.count(`offset of tensor ${name}`);
    if (rel % alignment !== 0) throw formatError(file, `tensor ${name} offset ${rel} is not a multiple of the alignment ${alignment}`);
    infos.push({ name, dims, ggmlType, rel });
  }
  const dataOffset = Math.ceil(r.pos / alignment) * alignment;

  const tensors: GgufTensorInfo[] = infos.map(({ name, dims, ggmlType, rel }) => {
    const dtype = GGML_DTYPES[ggmlType];
    const n = dims.reduce((p, d) => p * d, 1);
    if (dtype && dims[0] % dtypeBlockSize(dtype) !== 0) {
      const block = dtypeBlockSize(dtype);
      throw formatError(file, `tensor ${name}: ${ggmlTypeName(ggmlType)} rows of ${dims[0]} elements are not whole ${block}-element blocks`);
    }
    const byteLength = dtype ? dtypeByteLength(dtype, n) : undefined;
    const offset = dataOffset + rel;
    if (byteLength !== undefined && offset + byteLength > source.size) {
      throw formatError(
        file,
        `file is truncated: tensor ${name} needs bytes [${offset}, ${offset + byteLength}), file has ${source.size} bytes`,
      );
    }
    return { name, dims, ggmlType, dtype, offset, byteLength };
  });
  return { name: file, version, metadata, tensors, alignment, dataOffset };
}

/** The raw stored bytes of one tensor (decodable types only). */
export async function readGgufTensorBytes(source: ByteSource, tensor: GgufTensorInfo): Promise<Uint8Array> {
  if (tensor.byteLength === undefined) {
    throw new ModelFormatError(
      'unsupported-dtype',
      `${source.name}: tensor ${tensor.name} has type ${ggmlTypeName(tensor.ggmlType)}; supported: ${SUPPORTED_GGML_TYPES}`,
    );
  }
  return source.read(tensor.offset, tensor.byteLength);
}

/** Typed metadata getters that name the file and key when a value is missing or has the wrong type. */
export function ggufNumber(f: GgufFile, key: string): number;
export function ggufNumber(f: GgufFile, key: string, fallback: number | undefined): number | undefined;
export function ggufNumber(f: GgufFile, key: string, ...fallback: (number | undefined)[]): number | undefined {
  const v = f.metadata.get(key);
  if (v === undefined) {
    if (fallback.length) return fallback[0];
    throw new ModelFormatError('config-mismatch', `${f.name}: metadata ${key} is missing`);
  }
  if (typeof v !== 'number') throw new ModelFormatError('config-mismatch', `${f.name}: metadata ${key} should be a number, got ${typeof v}`);
  return v;
}

export function ggufString(f: GgufFile, key: string): string | undefined {
  const v = f.metadata.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ModelFormatError('config-mismatch', `${f.name}: metadata ${key} should be a string`);
  return v;
}
