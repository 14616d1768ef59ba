/**
 * f16 weights for adapters without `shader-f16`: IEEE halves packed in pairs into u32 words, which the
 * `rows` matmul reads 8 at a time (one vec4<u32>) and widens with WGSL's core `unpack2x16float`.
 *
 *   W (N, K) f32  ->  (N, 4·ceil(K/8)) u32: half of W[n, 2i] in the low 16 bits of word i, W[n, 2i+1] in the
 *   high 16 bits; each row zero-padded to a multiple of 8 halves so every vec4<u32> load is aligned.
 */
import { f32ToF16Bits } from '../gpu/f16';

/** u32 words per packed row of K weights. */
export function packedF16Words(k: number): number {
  return 4 * Math.ceil(k / 8);
}

/** W (n, k) row-major as packed halves (n, packedF16Words(k)), rounded to nearest even. */
export function packF16Rows(w: Float32Array, n: number, k: number): Uint32Array<ArrayBuffer> {
  const words = packedF16Words(k);
  const halves = new Uint16Array(n * words * 2); // little-endian: half 2i is the low half of word i
  for (let r = 0; r < n; r++) {
    const src = r * k;
    const dst = r * words * 2;
    for (let i = 0; i < k; i++) halves[dst + i] = f32ToF16Bits(w[src + i]);
  }
  return new Uint32Array(halves.buffer);
}
