/**
 * Decoding of stored tensor element types to f32: IEEE half (f16), bfloat16, and ggml's block
 * quantizations. Bit-exact with ggml's `dequantize_row_*` (ggml-quants.c): a block's scale (and min) is an
 * f16 converted exactly to f32, then combined with the integer quant in f32 arithmetic.
 *
 * Block layouts of the 32-weight types (little-endian; K-quants, 256 weights per block, are in quant-k.ts):
 *   Q8_0 (34 bytes): f16 d, int8 qs[32]                      -> x[j] = qs[j] * d
 *   Q4_0 (18 bytes): f16 d, uint8 qs[16] nibbles             -> x[j] = ((qs[j] & 15) - 8) * d,  x[j + 16] = ((qs[j] >> 4) - 8) * d
 *   Q4_1 (20 bytes): f16 d, f16 m, uint8 qs[16]              -> x[j] = (qs[j] & 15) * d + m,    x[j + 16] = (qs[j] >> 4) * d + m
 *   Q5_0 (22 bytes): f16 d, u32 qh, uint8 qs[16]             -> as Q4_0 with fifth bits: bit j of qh for x[j], bit j + 16
 *                                                               for x[j + 16]; x = (q5 - 16) * d
 *   Q5_1 (24 bytes): f16 d, f16 m, u32 qh, uint8 qs[16]      -> as Q5_0 without the offset: x = q5 * d + m
 */
import { Q4_K_BYTES, Q5_K_BYTES, Q6_K_BYTES, Q8_K_BYTES, QK_K, dequantizeQ4_K, dequantizeQ5_K, dequantizeQ6_K, dequantizeQ8_K } from './quant-k';
import type { TensorDtype } from './weights';

export const QK = 32; // weights per block of the 32-weight types (QK8_0 == QK4_0 == QK4_1 == QK5_0 == QK5_1)

/** Storage layout of each dtype: `block` elements take `bytes` bytes (plain floats: a block of 1). */
export const DTYPE_LAYOUT: Readonly<Record<TensorDtype, { block: number; bytes: number }>> = {
  f32: { block: 1, bytes: 4 },
  f16: { block: 1, bytes: 2 },
  bf16: { block: 1, bytes: 2 },
  q8_0: { block: QK, bytes: 34 },
  q4_0: { block: QK, bytes: 18 },
  q4_1: { block: QK, bytes: 20 },
  q5_0: { block: QK, bytes: 22 },
  q5_1: { block: QK, bytes: 24 },
  q4_k: { block: QK_K, bytes: Q4_K_BYTES },
  q5_k: { block: QK_K, bytes: Q5_K_BYTES },
  q6_k: { block: QK_K, bytes: Q6_K_BYTES },
  q8_k: { block: QK_K, bytes: Q8_K_BYTES },
};

/** Elements per block: a row of a tensor stored in `dtype` must hold whole blocks. */
export function dtypeBlockSize(dtype: TensorDtype): number {
  return DTYPE_LAYOUT[dtype].block;
}

/** Bytes needed to store `n` elements (n must be a multiple of the block size). */
export function dtypeByteLength(dtype: TensorDtype, n: number): number {
  const { block, bytes } = DTYPE_LAYOUT[dtype];
  return (n / block) * bytes;
}

/** True when `n` elements can be stored in `dtype` (block types need whole blocks). */
export function dtypeFits(dtype: TensorDtype, n: number): boolean {
  return n % DTYPE_LAYOUT[dtype].block === 0;
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

export function dequantizeQ4_1(bytes: Uint8Array, n: number): Float32Array {
  const table = halfToFloatTable();
  const out = new Float32Array(n);
  for (let b = 0, o = 0; o < n; b += 20, o += QK) {
    const d = table[bytes[b] | (bytes[b + 1] << 8)];
    const m = table[bytes[b + 2] | (bytes[b + 3] << 8)];
    for (let j = 0; j < QK / 2; j++) {
      const q = bytes[b + 4 + j];
      out[o + j] = (q & 0x0f) * d + m;
      out[o + j + QK / 2] = (q >> 4) * d + m;
    }
  }
  return out;
}

/** Q5_0 and Q5_1 share a layout after the header: u32 qh (fifth bits), then 16 bytes of nibbles. */
function dequantize5(bytes: Uint8Array, n: number, withMin: boolean): Float32Array {
  const table = halfToFloatTable();
  const out = new Float32Array(n);
  const size = withMin ? 24 : 22;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0, o = 0; o < n; b += size, o += QK) {
    const d = table[bytes[b] | (bytes[b + 1] << 8)];
    const m = withMin ? table[bytes[b + 2] | (bytes[b + 3] << 8)] : 0;
    const h = withMin ? b + 4 : b + 2;
    const qh = view.getUint32(h, true);
    for (let j = 0; j < QK / 2; j++) {
      const q = bytes[h + 4 + j];
      const x0 = (q & 0x0f) | (((qh >>> j) & 1) << 4);
      const x1 = (q >> 4) | (((qh >>> (j + 16)) & 1) << 4);
      if (withMin) {
        out[o + j] = x0 * d + m;
        out[o + j + QK / 2] = x1 * d + m;
      } else {
        out[o + j] = (x0 - 16) * d;
        out[o + j + QK / 2] = (x1 - 16) * d;
      }
    }
  }
  return out;
}

export const dequantizeQ5_0 = (bytes: Uint8Array, n: number) => dequantize5(bytes, n, false);
export const dequantizeQ5_1 = (bytes: Uint8Array, n: number) => dequantize5(bytes, n, true);

const DECODERS: Readonly<Record<TensorDtype, (bytes: Uint8Array, n: number) => Float32Array>> = {
  f32: decodeF32,
  f16: decodeF16,
  bf16: decodeBF16,
  q8_0: dequantizeQ8_0,
  q4_0: dequantizeQ4_0,
  q4_1: dequantizeQ4_1,
  q5_0: dequantizeQ5_0,
  q5_1: dequantizeQ5_1,
  q4_k: (bytes, n) => dequantizeQ4_K(bytes, n, halfToFloatTable()),
  q5_k: (bytes, n) => dequantizeQ5_K(bytes, n, halfToFloatTable()),
  q6_k: (bytes, n) => dequantizeQ6_K(bytes, n, halfToFloatTable()),
  q8_k: dequantizeQ8_K,
};

/** Any supported stored type to f32. `bytes` holds exactly the tensor's data. */
export function decodeToF32(dtype: TensorDtype, bytes: Uint8Array, n: number): Float32Array {
  return DECODERS[dtype](bytes, n);
}
