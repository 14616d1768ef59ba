/**
 * Helpers shared by the op modules: uniform packing and dispatch-grid math.
 */
import { InvalidArgumentError } from '../errors';
import type { GpuContext } from '../gpu/context';

/** Builds a uniform block field by field, in WGSL struct order (all fields 4 bytes; padded to 16). */
export class Uniforms {
  private readonly words: number[] = [];
  private readonly kinds: ('u32' | 'f32')[] = [];

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new InvalidArgumentError(`uniform u32 out of range: ${v}`);
    this.words.push(v);
    this.kinds.push('u32');
    return this;
  }

  f32(v: number): this {
    this.words.push(v);
    this.kinds.push('f32');
    return this;
  }

  finish(): ArrayBuffer {
    const buf = new ArrayBuffer(Math.max(16, Math.ceil((this.words.length * 4) / 16) * 16));
    const u = new Uint32Array(buf);
    const f = new Float32Array(buf);
    this.words.forEach((w, i) => (this.kinds[i] === 'u32' ? (u[i] = w) : (f[i] = w)));
    return buf;
  }
}

/**
 * Workgroups for `invocations` threads in groups of `wgSize`, split over x and y when x alone would exceed the
 * device's per-dimension limit. Shaders recover the linear index as `gid.x + gid.y * nwg.x * WG`
 * (or `wid.x + wid.y * nwg.x` for one workgroup per item) and return when it is past the end.
 */
export function grid(ctx: GpuContext, invocations: number, wgSize: number): [number, number] {
  const groups = Math.ceil(invocations / wgSize);
  const max = ctx.device.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [groups, 1];
  const y = Math.ceil(groups / max);
  return [Math.ceil(groups / y), y];
}

/** Workgroup size for 1-D elementwise kernels: 64 suits SwiftShader (4-wide SIMD), lavapipe and GPUs alike. */
export const ELEMENTWISE_WG = 64;
