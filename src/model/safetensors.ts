/**
 * safetensors reader (Hugging Face's weight format).
 *
 * Layout: u64 little-endian N | N bytes of JSON header | data.
 * Header: { "<tensor name>": { "dtype": "F32"|"F16"|"BF16"|..., "shape": [outermost, ..., innermost],
 *           "data_offsets": [begin, end] }, "__metadata__": { ... } }, offsets relative to the data section.
 * Sharded models add `model.safetensors.index.json`: { "weight_map": { "<tensor name>": "<shard file>" } }.
 */
import type { ByteSource } from './byte-source';
import { ModelFormatError } from '../errors';
import type { TensorDtype } from './weights';
import { dtypeByteLength } from './quant';

export interface SafetensorsTensorInfo {
  name: string;
  /** Outermost first, as in PyTorch. */
  shape: number[];
  /** Our dtype, or undefined when we cannot decode the stored type. */
  dtype: TensorDtype | undefined;
  /** The dtype string as stored (`F32`, `I64`, ...). */
  storedDtype: string;
  /** Absolute byte range in the file. */
  offset: number;
  byteLength: number;
}

export interface SafetensorsFile {
  name: string;
  tensors: Map<string, SafetensorsTensorInfo>;
  metadata: Record<string, string>;
}

const DTYPES: Record<string, TensorDtype> = { F32: 'f32', F16: 'f16', BF16: 'bf16' };
const ELEMENT_BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, U16: 2, U32: 4, U64: 8, BOOL: 1,
  F8_E4M3: 1, F8_E5M2: 1,
};
/** Headers past this size are not model headers (real ones are kilobytes to a few MB). */
const MAX_HEADER_BYTES = 100 << 20;

function formatError(file: string, message: string): ModelFormatError {
  return new ModelFormatError('model-format', `${file}: ${message}`);
}

/** Reads a safetensors header. Throws ModelFormatError naming the file (and tensor) when malformed or truncated. */
export async function readSafetensorsHeader(source: ByteSource): Promise<SafetensorsFile> {
  const file = source.name;
  if (source.size < 8) throw formatError(file, `not a safetensors file (${source.size} bytes, too short for a header)`);
  const lenBytes = await source.read(0, 8);
  const headerLen = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLen < 2n || headerLen > BigInt(MAX_HEADER_BYTES)) {
    throw formatError(file, `not a safetensors file (header length ${headerLen} is implausible)`);
  }
  const n = Number(headerLen);
  if (8 + n > source.size) throw formatError(file, `file is truncated: header needs ${8 + n} bytes, file has ${source.size}`);
  const headerBytes = await source.read(8, n);
  if (headerBytes[0] !== 0x7b /* { */) throw formatError(file, 'not a safetensors file (header is not a JSON object)');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8').decode(headerBytes));
  } catch (e) {
    throw new ModelFormatError('model-format', `${file}: header is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw formatError(file, 'not a safetensors file (header is not a JSON object)');
  }

  const dataStart = 8 + n;
  const dataSize = source.size - dataStart;
  const tensors = new Map<string, SafetensorsTensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const validShape = Array.isArray(e?.shape) && e.shape.every((d) => Number.isSafeInteger(d) && d >= 0);
    const offsets = e?.data_offsets;
    const validOffsets =
      Array.isArray(offsets) && offsets.length === 2 && offsets.every((o) => Number.isSafeInteger(o) && o >= 0) && offsets[0] <= offsets[1];
    if (typeof e?.dtype !== 'string' || !validShape || !validOffsets) {
      throw formatError(file, `tensor ${name}: header entry needs dtype, shape and data_offsets [begin, end]`);
    }
    const shape = e.shape as number[];
    const [begin, end] = offsets as [number, number];
    if (end > dataSize) {
      throw formatError(file, `file is truncated: tensor ${name} needs data bytes [${begin}, ${end}), the data section has ${dataSize}`);
    }
    const elements = shape.reduce((p, d) => p * d, 1);
    const elemBytes = ELEMENT_BYTES[e.dtype];
    if (elemBytes !== undefined && elements * elemBytes !== end - begin) {
      throw formatError(file, `tensor ${name}: shape [${shape}] of ${e.dtype} needs ${elements * elemBytes} bytes, data_offsets give ${end - begin}`);
    }
    const dtype = DTYPES[e.dtype];
    tensors.set(name, {
      name,
      shape,
      dtype,
      storedDtype: e.dtype,
      offset: dataStart + begin,
      byteLength: dtype ? dtypeByteLength(dtype, elements) : end - begin,
    });
  }
  return { name: file, tensors, metadata };
}

/** Raw stored bytes of one tensor. */
export async function readSafetensorsBytes(source: ByteSource, tensor: SafetensorsTensorInfo): Promise<Uint8Array> {
  if (!tensor.dtype) {
    throw new ModelFormatError(
      'unsupported-dtype',
      `${source.name}: tensor ${tensor.name} has dtype ${tensor.storedDtype}; supported: F32, F16, BF16`,
    );
  }
  return source.read(tensor.offset, tensor.byteLength);
}

/** Parses `model.safetensors.index.json`: tensor name -> shard file name. */
export function parseSafetensorsIndex(file: string, text: string): Map<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError('model-format', `${file}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const map = (json as { weight_map?: unknown })?.weight_map;
  if (typeof map !== 'object' || map === null) throw formatError(file, 'weight_map is missing');
  const out = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\') || shard.startsWith('.')) {
      throw formatError(file, `weight_map.${tensor} must be a file name in the same folder, got ${JSON.stringify(shard)}`);
    }
    out.set(tensor, shard);
  }
  return out;
}
