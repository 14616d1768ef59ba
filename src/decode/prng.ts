/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna), seeded through splitmix32.
 * Only 32-bit integer arithmetic (Math.imul, shifts, `>>> 0`) and one exact float division,
 * so a seed gives the same stream in Node and in every browser.
 */

export interface Rng {
  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  nextU32(): number;
}

/** splitmix32: spreads a small seed over 32 bits so nearby seeds give unrelated streams. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

export class Xoshiro128 implements Rng {
  private s: Uint32Array; // (4,) generator state, never all zero

  /** From an integer seed (any JS number; only its low 32 bits and sign-free value matter). */
  static fromSeed(seed: number): Xoshiro128 {
    const st = { s: seed >>> 0 };
    return new Xoshiro128([splitmix32(st), splitmix32(st), splitmix32(st), splitmix32(st)]);
  }

  /** From an explicit state (for reference vectors). */
  constructor(state: ArrayLike<number>) {
    this.s = Uint32Array.from(state);
    if (this.s.length !== 4 || this.s.every((v) => v === 0)) this.s = Uint32Array.of(1, 2, 3, 4);
  }

  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  next(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992; // (hi·2^26 + lo) / 2^53
  }
}

/** A fresh generator: seeded when `seed` is given, else from Math.random (not reproducible). */
export function createRng(seed?: number): Rng {
  return Xoshiro128.fromSeed(seed ?? Math.floor(Math.random() * 2 ** 32));
}
