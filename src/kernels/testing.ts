/**
 * Test helpers for kernels (imported by *.test.ts only): a shared Dawn context, seeded random data,
 * readback, and a comparison that fails with the index and both values.
 */
import type { GpuContext } from '../gpu/context';
import { createNodeGpuContext, lavapipeIcd } from '../gpu/node-gpu';
import type { Tensor } from '../gpu/tensor';
import { f16BitsToF32, f32ToF16Bits } from '../gpu/f16';

let swiftshader: Promise<GpuContext> | null = null;
let plain: Promise<GpuContext> | null = null;
let lavapipe: Promise<GpuContext | null> | null = null;

/** The default test adapter: SwiftShader through Dawn (what CI has). */
export function testContext(): Promise<GpuContext> {
  swiftshader ??= createNodeGpuContext();
  return swiftshader;
}

/** SwiftShader without the `subgroups` feature, to exercise the workgroup-memory fallbacks. */
export function testContextWithoutSubgroups(): Promise<GpuContext> {
  plain ??= createNodeGpuContext({ disableSubgroups: true });
  return plain;
}

/**
 * Mesa lavapipe (unpacked by tools/lavapipe.sh), the only driver here with `shader-f16`; null when absent,
 * with the reason printed so a skipped f16 test is never silent.
 */
export function lavapipeContext(): Promise<GpuContext | null> {
  lavapipe ??= (async () => {
    const icd = lavapipeIcd();
    if (!icd) {
      console.warn('lavapipe not found (.cache/lavapipe/lvp_icd.json): run tools/lavapipe.sh to enable the f16 tests');
      return null;
    }
    const ctx = await createNodeGpuContext({ icd });
    if (!ctx.profile.f16) {
      console.warn(`lavapipe at ${icd} has no shader-f16: f16 tests skipped`);
      return null;
    }
    return ctx;
  })();
  return lavapipe;
}

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in [-scale, scale). */
export function randomArray(n: number, seed: number, scale = 1): Float32Array<ArrayBuffer> {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

export async function readTensor(ctx: GpuContext, t: Tensor): Promise<Float32Array> {
  const rec = ctx.recorder(`read ${t.buffer.label}`);
  const bytes = t.shape.reduce((a, b) => a * b, 1) * 4;
  const r = rec.readback(t.buffer, 0, bytes);
  rec.submit();
  return t.dtype === 'u32' ? (new Uint32Array(await r.read()) as unknown as Float32Array) : new Float32Array(await r.read());
}

/** Throws at the first element where |a - e| > atol + rtol·|e|, naming the index and both values. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { atol = 1e-5, rtol = 1e-4, label = 'result' }: { atol?: number; rtol?: number; label?: string } = {},
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length}, expected ${expected.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`${label}: mismatch at index ${i}: got ${a}, expected ${e} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

/** Rounds every value to the nearest f16 (what f16 weight storage does), returning f32 values and half bits. */
export function toF16(a: Float32Array): { values: Float32Array; bits: Uint16Array<ArrayBuffer> } {
  const bits = new Uint16Array(a.length);
  const values = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    bits[i] = f32ToF16Bits(a[i]);
    values[i] = f16BitsToF32(bits[i]);
  }
  return { values, bits };
}
