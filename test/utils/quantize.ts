/**
 * Encoders for test files: f32 -> f16 / bf16 bits and ggml's Q8_0 / Q4_0 blocks, following ggml's reference
 * quantizers (quantize_row_q8_0_ref / quantize_row_q4_0_ref) with f32 arithmetic. The decoders under test
 * live in src/model/quant.ts.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** f32 -> IEEE half bits, round to nearest even (as ggml's GGML_FP32_TO_FP16). */
export function f32ToF16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

export function encodeF32(x: Float32Array): Uint8Array {
  return new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
}

export function encodeF16(x: Float32Array): Uint8Array {
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f32ToF16Bits(x[i]);
  return new Uint8Array(out.buffer);
}

/** bf16 = the top 16 bits of the f32, rounded to nearest even. */
export function encodeBF16(x: Float32Array): Uint8Array {
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    f32[0] = x[i];
    const b = u32[0];
    out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return new Uint8Array(out.buffer);
}

const fr = Math.fround;
const roundAway = (v: number) => Math.sign(v) * Math.round(Math.abs(v));

export function quantizeQ8_0(x: Float32Array): Uint8Array {
  const out = new Uint8Array((x.length / 32) * 34);
  const view = new DataView(out.buffer);
  for (let b = 0; b < x.length / 32; b++) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
    const d = fr(amax / 127);
    const id = d ? fr(1 / d) : 0;
    view.setUint16(b * 34, f32ToF16Bits(d), true);
    for (let j = 0; j < 32; j++) view.setInt8(b * 34 + 2 + j, roundAway(fr(x[b * 32 + j] * id)));
  }
  return out;
}

export function quantizeQ4_0(x: Float32Array): Uint8Array {
  const out = new Uint8Array((x.length / 32) * 18);
  for (let b = 0; b < x.length / 32; b++) {
    let amax = 0;
    let max = 0;
    for (let j = 0; j < 32; j++) {
      const v = x[b * 32 + j];
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = fr(max / -8);
    const id = d ? fr(1 / d) : 0;
    const h = f32ToF16Bits(d);
    out[b * 18] = h & 0xff;
    out[b * 18 + 1] = h >> 8;
    for (let j = 0; j < 16; j++) {
      const q0 = Math.min(15, Math.trunc(fr(fr(x[b * 32 + j] * id) + 8.5)));
      const q1 = Math.min(15, Math.trunc(fr(fr(x[b * 32 + 16 + j] * id) + 8.5)));
      out[b * 18 + 2 + j] = q0 | (q1 << 4);
    }
  }
  return out;
}

/** f16 bits of `v`, little-endian, at out[o], out[o + 1]; returns the f32 value the decoder will see. */
export function putF16(out: Uint8Array, o: number, v: number): number {
  const h = f32ToF16Bits(v);
  out[o] = h & 0xff;
  out[o + 1] = h >> 8;
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  return exp === 0 ? sign * mant * 2 ** -24 : sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Q4_1 / Q5_1: per 32 weights, d = (max - min) / levels and m = min (both f16), q = round((x - m) / d). */
function quantizeWithMin(x: Float32Array, bits: 4 | 5): Uint8Array {
  const levels = (1 << bits) - 1;
  const size = bits === 4 ? 20 : 24;
  const out = new Uint8Array((x.length / 32) * size);
  const view = new DataView(out.buffer);
  for (let b = 0; b < x.length / 32; b++) {
    const block = x.subarray(b * 32, b * 32 + 32);
    const lo = Math.min(...block);
    const hi = Math.max(...block);
    const o = b * size;
    const d = putF16(out, o, (hi - lo) / levels);
    const m = putF16(out, o + 2, lo);
    const q = Array.from(block, (v) => (d ? Math.max(0, Math.min(levels, Math.round((v - m) / d))) : 0));
    const qs = bits === 4 ? o + 4 : o + 8;
    if (bits === 5) view.setUint32(o + 4, fifthBits(q), true);
    for (let j = 0; j < 16; j++) out[qs + j] = (q[j] & 15) | ((q[j + 16] & 15) << 4);
  }
  return out;
}

/** Bit j of the result is bit 4 of q[j] (Q5_0 / Q5_1's qh word). */
function fifthBits(q: number[]): number {
  let qh = 0;
  for (let j = 0; j < 32; j++) qh |= ((q[j] >> 4) & 1) << j;
  return qh >>> 0;
}

export const quantizeQ4_1 = (x: Float32Array) => quantizeWithMin(x, 4);
export const quantizeQ5_1 = (x: Float32Array) => quantizeWithMin(x, 5);

/** Q5_0 as ggml's quantize_row_q5_0_ref: d = max / -16 (max = the value of largest magnitude), q = trunc(x / d + 16.5). */
export function quantizeQ5_0(x: Float32Array): Uint8Array {
  const out = new Uint8Array((x.length / 32) * 22);
  const view = new DataView(out.buffer);
  for (let b = 0; b < x.length / 32; b++) {
    let max = 0;
    for (let j = 0; j < 32; j++) if (Math.abs(x[b * 32 + j]) > Math.abs(max)) max = x[b * 32 + j];
    const d = fr(max / -16);
    const id = d ? fr(1 / d) : 0;
    putF16(out, b * 22, d);
    const q = Array.from(x.subarray(b * 32, b * 32 + 32), (v) => Math.min(31, Math.trunc(fr(fr(v * id) + 16.5))));
    view.setUint32(b * 22 + 2, fifthBits(q), true);
    for (let j = 0; j < 16; j++) out[b * 22 + 6 + j] = (q[j] & 15) | ((q[j + 16] & 15) << 4);
  }
  return out;
}
