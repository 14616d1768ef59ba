/**
 * ggml's "K-quants": super-blocks of QK_K = 256 weights, split into sub-blocks that each carry a small
 * integer scale (and min), themselves scaled by one or two f16 super-block factors. Decoding is bit-exact
 * with ggml's `dequantize_row_q{4,5,6,8}_K` (ggml-quants.c): every product below is exact in f32 (an f16
 * times a 6- or 8-bit integer times a quant of at most 6 bits), so only the final subtraction rounds, the
 * same whether or not the C compiler fuses it into an FMA.
 *
 * Block layouts (little-endian, `x` is the block's 256 outputs in order):
 *   Q4_K (144 bytes): f16 d | f16 dmin | u8 scales[12] | u8 qs[128]
 *     8 sub-blocks of 32; sub-block s has 6-bit scale sc[s] and min m[s] packed in scales[] (see scaleMinK4);
 *     chunk c = 0..3 covers x[64c, 64c+64): low nibbles of qs[32c + l] are sub-block 2c, high nibbles 2c+1;
 *     x = d*sc[s] * q - dmin*m[s].
 *   Q5_K (176 bytes): f16 d | f16 dmin | u8 scales[12] | u8 qh[32] | u8 qs[128]
 *     as Q4_K, plus a fifth bit: bit 2c of qh[l] for sub-block 2c, bit 2c+1 for sub-block 2c+1.
 *   Q6_K (210 bytes): u8 ql[128] | u8 qh[64] | i8 scales[16] | f16 d
 *     16 sub-blocks of 16 (scales[s] for x[16s, 16s+16)); half h = 0..1 covers x[128h, 128h+128):
 *     for l < 32, with ql' = ql + 64h and qh' = qh + 32h,
 *       x[128h + l]      = low nibble  of ql'[l]      | bits 0-1 of qh'[l] << 4
 *       x[128h + l + 32] = low nibble  of ql'[l + 32] | bits 2-3 of qh'[l] << 4
 *       x[128h + l + 64] = high nibble of ql'[l]      | bits 4-5 of qh'[l] << 4
 *       x[128h + l + 96] = high nibble of ql'[l + 32] | bits 6-7 of qh'[l] << 4
 *     each 6-bit value minus 32, times d * scales[s].
 *   Q8_K (292 bytes): f32 d | i8 qs[256] | i16 bsums[16]        x = d * qs (bsums only serve dot products)
 */

export const QK_K = 256;

export const Q4_K_BYTES = 144;
export const Q5_K_BYTES = 176;
export const Q6_K_BYTES = 210;
export const Q8_K_BYTES = 292;

const fr = Math.fround;

/**
 * The 6-bit scale and min of sub-block `j` (0..7) from a K-quant's 12 packed bytes at `q[o..o+12)`:
 * j < 4: low 6 bits of bytes j and j+4; j >= 4: a nibble of byte j+4 plus the top 2 bits of bytes j-4 / j.
 */
export function scaleMinK4(q: Uint8Array, o: number, j: number): [scale: number, min: number] {
  if (j < 4) return [q[o + j] & 63, q[o + j + 4] & 63];
  const scale = (q[o + j + 4] & 0xf) | ((q[o + j - 4] >> 6) << 4);
  const min = (q[o + j + 4] >> 4) | ((q[o + j] >> 6) << 4);
  return [scale, min];
}

/** Shared by Q4_K and Q5_K: the 8 sub-blocks' f32 step and offset, as ggml computes them (d * sc, dmin * m). */
function subBlockFactors(bytes: Uint8Array, b: number, half: Float32Array, steps: Float32Array, offsets: Float32Array): void {
  const d = half[bytes[b] | (bytes[b + 1] << 8)];
  const dmin = half[bytes[b + 2] | (bytes[b + 3] << 8)];
  for (let s = 0; s < 8; s++) {
    const [sc, m] = scaleMinK4(bytes, b + 4, s);
    steps[s] = fr(d * sc);
    offsets[s] = fr(dmin * m);
  }
}

export function dequantizeQ4_K(bytes: Uint8Array, n: number, half: Float32Array): Float32Array {
  const out = new Float32Array(n);
  const steps = new Float32Array(8);
  const offsets = new Float32Array(8);
  for (let b = 0, o = 0; o < n; b += Q4_K_BYTES, o += QK_K) {
    subBlockFactors(bytes, b, half, steps, offsets);
    const qs = b + 16;
    for (let c = 0; c < 4; c++) {
      const lo = 2 * c;
      const hi = lo + 1;
      for (let l = 0; l < 32; l++) {
        const q = bytes[qs + 32 * c + l];
        out[o + 64 * c + l] = steps[lo] * (q & 0xf) - offsets[lo];
        out[o + 64 * c + 32 + l] = steps[hi] * (q >> 4) - offsets[hi];
      }
    }
  }
  return out;
}

export function dequantizeQ5_K(bytes: Uint8Array, n: number, half: Float32Array): Float32Array {
  const out = new Float32Array(n);
  const steps = new Float32Array(8);
  const offsets = new Float32Array(8);
  for (let b = 0, o = 0; o < n; b += Q5_K_BYTES, o += QK_K) {
    subBlockFactors(bytes, b, half, steps, offsets);
    const qh = b + 16;
    const qs = b + 48;
    for (let c = 0; c < 4; c++) {
      const lo = 2 * c;
      const hi = lo + 1;
      for (let l = 0; l < 32; l++) {
        const q = bytes[qs + 32 * c + l];
        const h = bytes[qh + l];
        out[o + 64 * c + l] = steps[lo] * ((q & 0xf) | (((h >> lo) & 1) << 4)) - offsets[lo];
        out[o + 64 * c + 32 + l] = steps[hi] * ((q >> 4) | (((h >> hi) & 1) << 4)) - offsets[hi];
      }
    }
  }
  return out;
}

export function dequantizeQ6_K(bytes: Uint8Array, n: number, half: Float32Array): Float32Array {
  const out = new Float32Array(n);
  const scales = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const steps = new Float32Array(16);
  for (let b = 0, o = 0; o < n; b += Q6_K_BYTES, o += QK_K) {
    const d = half[bytes[b + 208] | (bytes[b + 209] << 8)];
    for (let s = 0; s < 16; s++) steps[s] = fr(d * scales[b + 192 + s]);
    for (let h = 0; h < 2; h++) {
      const ql = b + 64 * h;
      const qh = b + 128 + 32 * h;
      const x = o + 128 * h;
      for (let l = 0; l < 32; l++) {
        const a = bytes[ql + l];
        const c = bytes[ql + l + 32];
        const e = bytes[qh + l];
        out[x + l] = steps[(x - o + l) >> 4] * (((a & 0xf) | ((e & 3) << 4)) - 32);
        out[x + l + 32] = steps[(x - o + l + 32) >> 4] * (((c & 0xf) | (((e >> 2) & 3) << 4)) - 32);
        out[x + l + 64] = steps[(x - o + l + 64) >> 4] * (((a >> 4) | (((e >> 4) & 3) << 4)) - 32);
        out[x + l + 96] = steps[(x - o + l + 96) >> 4] * (((c >> 4) | (((e >> 6) & 3) << 4)) - 32);
      }
    }
  }
  return out;
}

export function dequantizeQ8_K(bytes: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const qs = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0, o = 0; o < n; b += Q8_K_BYTES, o += QK_K) {
    const d = view.getFloat32(b, true);
    for (let j = 0; j < QK_K; j++) out[o + j] = d * qs[b + 4 + j];
  }
  return out;
}
