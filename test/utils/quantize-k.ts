/**
 * Encoders for ggml's K-quant blocks (Q4_K, Q5_K, Q6_K, Q8_K), for test files. A simple quantization, not
 * ggml's (no weighted error search): it only has to produce valid blocks that exercise every field. The
 * decoders under test live in src/model/quant-k.ts; the layouts are described there.
 */
import { putF16 } from './quantize';

const QK_K = 256;

/** Packs 8 six-bit scales and mins into K-quant's 12 bytes (ggml's layout; see scaleMinK4). */
export function packScalesK4(scales: readonly number[], mins: readonly number[]): Uint8Array {
  const s = new Uint8Array(12);
  for (let j = 0; j < 8; j++) {
    if (j < 4) {
      s[j] |= scales[j];
      s[j + 4] |= mins[j];
    } else {
      s[j + 4] = (scales[j] & 0xf) | ((mins[j] & 0xf) << 4);
      s[j - 4] |= (scales[j] >> 4) << 6;
      s[j] |= (mins[j] >> 4) << 6;
    }
  }
  return s;
}

/**
 * One Q4_K / Q5_K super-block's integer fields: per 32-weight sub-block, x ≈ step * q - offset with
 * step = d * sc, offset = dmin * m (sc, m 6-bit; d, dmin f16) and q in [0, levels].
 */
function quantizeAffineK(x: Float32Array, out: Uint8Array, o: number, levels: number): number[] {
  const scales: number[] = [];
  const mins: number[] = [];
  for (let s = 0; s < 8; s++) {
    const sub = x.subarray(32 * s, 32 * s + 32);
    const lo = Math.min(0, ...sub);
    scales.push((Math.max(...sub) - lo) / levels);
    mins.push(-lo);
  }
  const d = putF16(out, o, Math.max(...scales) / 63);
  const dmin = putF16(out, o + 2, Math.max(...mins) / 63);
  const sc = scales.map((v) => (d ? Math.min(63, Math.round(v / d)) : 0));
  const m = mins.map((v) => (dmin ? Math.min(63, Math.round(v / dmin)) : 0));
  out.set(packScalesK4(sc, m), o + 4);
  const q: number[] = [];
  for (let i = 0; i < QK_K; i++) {
    const s = i >> 5;
    const step = Math.fround(d * sc[s]);
    const offset = Math.fround(dmin * m[s]);
    q.push(step ? Math.max(0, Math.min(levels, Math.round((x[i] + offset) / step))) : 0);
  }
  return q;
}

function perBlock(x: Float32Array, bytes: number, encode: (block: Float32Array, out: Uint8Array, o: number) => void): Uint8Array {
  if (x.length % QK_K) throw new Error(`K-quants need a multiple of ${QK_K} values, got ${x.length}`);
  const out = new Uint8Array((x.length / QK_K) * bytes);
  for (let b = 0; b < x.length / QK_K; b++) encode(x.subarray(b * QK_K, (b + 1) * QK_K), out, b * bytes);
  return out;
}

export const quantizeQ4_K = (x: Float32Array): Uint8Array =>
  perBlock(x, 144, (block, out, o) => {
    const q = quantizeAffineK(block, out, o, 15);
    for (let c = 0; c < 4; c++) {
      for (let l = 0; l < 32; l++) out[o + 16 + 32 * c + l] = q[64 * c + l] | (q[64 * c + 32 + l] << 4);
    }
  });

export const quantizeQ5_K = (x: Float32Array): Uint8Array =>
  perBlock(x, 176, (block, out, o) => {
    const q = quantizeAffineK(block, out, o, 31);
    for (let c = 0; c < 4; c++) {
      for (let l = 0; l < 32; l++) {
        const lo = q[64 * c + l];
        const hi = q[64 * c + 32 + l];
        out[o + 48 + 32 * c + l] = (lo & 15) | ((hi & 15) << 4);
        out[o + 16 + l] |= ((lo >> 4) << (2 * c)) | ((hi >> 4) << (2 * c + 1));
      }
    }
  });

/** Q6_K: per 16-weight sub-block an int8 scale (times the f16 d); q in [-32, 31] stored as q + 32. */
export const quantizeQ6_K = (x: Float32Array): Uint8Array =>
  perBlock(x, 210, (block, out, o) => {
    const scales = Array.from({ length: 16 }, (_, s) => Math.max(...block.subarray(16 * s, 16 * s + 16).map(Math.abs)) / 31);
    const d = putF16(out, o + 208, Math.max(...scales) / 127);
    const sc = scales.map((v) => (d ? Math.min(127, Math.round(v / d)) : 0));
    for (let s = 0; s < 16; s++) out[o + 192 + s] = sc[s] & 0xff;
    const q = Array.from(block, (v, i) => {
      const step = Math.fround(d * sc[i >> 4]);
      return (step ? Math.max(-32, Math.min(31, Math.round(v / step))) : 0) + 32;
    });
    for (let h = 0; h < 2; h++) {
      const ql = o + 64 * h;
      const qh = o + 128 + 32 * h;
      const x0 = 128 * h;
      for (let l = 0; l < 32; l++) {
        out[ql + l] = (q[x0 + l] & 15) | ((q[x0 + l + 64] & 15) << 4);
        out[ql + l + 32] = (q[x0 + l + 32] & 15) | ((q[x0 + l + 96] & 15) << 4);
        out[qh + l] = (q[x0 + l] >> 4) | ((q[x0 + l + 32] >> 4) << 2) | ((q[x0 + l + 64] >> 4) << 4) | ((q[x0 + l + 96] >> 4) << 6);
      }
    }
  });

/** Q8_K: f32 d = amax / 127, int8 q = round(x / d), and the 16 sums of 16 quants. */
export const quantizeQ8_K = (x: Float32Array): Uint8Array =>
  perBlock(x, 292, (block, out, o) => {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const d = Math.fround(Math.max(...block.map(Math.abs)) / 127);
    view.setFloat32(o, d, true);
    for (let s = 0; s < 16; s++) {
      let sum = 0;
      for (let j = 16 * s; j < 16 * s + 16; j++) {
        const q = d ? Math.max(-127, Math.min(127, Math.round(block[j] / d))) : 0;
        view.setInt8(o + 4 + j, q);
        sum += q;
      }
      view.setInt16(o + 260 + 2 * s, sum, true);
    }
  });
