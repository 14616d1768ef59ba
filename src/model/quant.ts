/**
 * Decoding of stored tensor element types to f32: IEEE half (f16), bfloat16, and ggml's block
 * quantizations Q8_0 and Q4_0. Bit-exact with ggml's `dequantize_row_q8_0` / `dequantize_row_q4_0`
 * (ggml-quants.c): a block's scale is an f16 converted exactly to f32, then multiplied by the integer.
 *
 * Block layouts (32 weights per block, little-endian):
 *   Q8_0 (34 bytes): f16 d, int8 qs[32]          -> x[j] = qs[j] * d
 *   Q4_0 (18 bytes): f16 d, uint8 qs[16] nibbles -> x[j] = ((qs[j] & 15) - 8) * d,  x[j + 16] = ((qs[j] >> 4) - 8) * d
 */
import type { TensorDtype } from './weights';

export const QK = 32; // weights per quantization block (QK8_0 == QK4_0 == 32)

/** Bytes needed to store `n` elements (n must be a multiple of 32 for the block types). */
export function dtypeByteLength(dtype: TensorDtype, n: number): number {
  switch (dtype) {
    case 'f32':
      return 4 * n;
    case 'f16':
    case 'bf16':
      return 2 * n;
    case 'q8_0':
      return (n / QK) * 34;
    case 'q4_0':
      return (n / QK) * 18;
  }
}

/** True when `n` elements can be stored in `dtype` (block types need whole blocks). */
export function dtypeFits(dtype: TensorDtype, n: number): boolean {
  return dtype === 'q8_0' || dtype === 'q4_0' ? n % QK === 0 : true;
}

let halfTable: Float32Array | undefined;

/** All 65,536 f16 bit patterns as f32 (256 KiB, built once): exact, including subnormals, inf and NaN. */
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) table[h] = sign * mant * 2 ** -24;
    else if (exp === 31) table[h] = mant ? NaN : sign * Infinity;
    else table[h] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  halfTable = table;
  return table;
}

/** One f16 bit pattern to its f32 value. */
export function f16ToF32(bits: number): number {
  return halfToFloatTable()[bits & 0xffff];
}

/** View raw bytes as little-endian u16s without copying when aligned. */
function u16View(bytes: Uint8Array): Uint16Array {
  if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
  return new Uint16Array(bytes.slice().buffer, 0, bytes.byteLength >> 1);
}

/** Raw f32 bytes (little-endian) to a Float32Array (copied, so it owns its memory). */
export function decodeF32(bytes: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  new Uint8Array(out.buffer).set(bytes.subarray(0, 4 * n));
  return out;
}

export function decodeF16(bytes: Uint8Array, n: number): Float32Array {
  const table = halfToFloatTable();
  const src = u16View(bytes.subarray(0, 2 * n));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = table[src[i]];
  return out;
}

/** bfloat16 is the top half of an f32. */
export function decodeBF16(bytes: Uint8Array, n: number): Float32Array {
  const src = u16View(bytes.subarray(0, 2 * n));
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) bits[i] = src[i] << 16;
  return out;
}

export function dequantizeQ8_0(bytes: Uint8Array, n: number): Float32Array {
  const table = halfToFloatTable();
  const out = new Float32Array(n);
  const qs = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0, o = 0; o < n; b += 34, o += QK) {
    const d = table[bytes[b] | (bytes[b + 1] << 8)];
    for (let j = 0; j < QK; j++) out[o + j] = qs[b + 2 + j] * d;
  }
  return out;
}

export function dequantizeQ4_0(bytes: Uint8Array, n: number): Float32Array {
  const table = halfToFloatTable();
  const out = new Float32Array(n);
  for (let b = 0, o = 0; o < n; b += 18, o += QK) {
    const d = table[bytes[b] | (bytes[b + 1] << 8)];
    for (let j = 0; j < QK / 2; j++) {
      const q = bytes[b + 2 + j];
      out[o + j] = ((q & 0x0f) - 8) * d;
      out[o + j + QK / 2] = ((q >> 4) - 8) * d;
    }
  }
  return out;
}

/** Any supported stored type to f32. `bytes` holds exactly the tensor's data. */
export function decodeToF32(dtype: TensorDtype, bytes: Uint8Array, n: number): Float32Array {
  switch (dtype) {
    case 'f32':
      return decodeF32(bytes, n);
    case 'f16':
      return decodeF16(bytes, n);
    case 'bf16':
      return decodeBF16(bytes, n);
    case 'q8_0':
      return dequantizeQ8_0(bytes, n);
    case 'q4_0':
      return dequantizeQ4_0(bytes, n);
  }
}
