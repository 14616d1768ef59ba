/**
 * Rotary position embedding in Hugging Face's rotate_half convention (dimension i pairs with i + dim/2),
 * the one convention inside Foresight (GGUF's interleaved Q/K rows are permuted at load time).
 *
 *   in place:   x (n, heads, dim)                         (queries)
 *   into:       src (n, heads, dim) -> dst (rows, heads, dim) at rows dstRow0 .. dstRow0+n-1 (keys into the KV cache)
 *   table:      (positions, dim/2, 2) f32 of (cos, sin), from `ropeTable`
 *
 * Angles are computed on the CPU like transformers does in float32 (inv_freq, then position · inv_freq,
 * then cos/sin), including Llama 3's `rope_scaling`.
 */
import { InvalidArgumentError } from '../errors';
import type { GpuContext } from '../gpu/context';
import type { RopeScalingLlama3 } from '../model/config';
import type { CommandRecorder } from '../gpu/recorder';
import { shaderSource } from '../gpu/shader';
import { expectTensor, type Tensor } from '../gpu/tensor';
import code from '../../shaders/rope.wgsl?raw';
import { ELEMENTWISE_WG, grid, Uniforms } from './common';

const SHADER = shaderSource('rope.wgsl', code);
const f = Math.fround;

export interface RopeParams {
  headDim: number;
  ropeTheta: number;
  ropeScaling?: RopeScalingLlama3;
}

/** inv_freq (dim/2): theta^(-2i/dim), with Llama 3 scaling when configured. */
export function ropeInvFreq({ headDim, ropeTheta, ropeScaling }: RopeParams): Float32Array {
  const half = headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = f(1 / f(Math.pow(ropeTheta, f((2 * i) / headDim))));
  if (!ropeScaling) return inv;
  const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: old } = ropeScaling;
  const lowFreqWavelen = old / lowFreqFactor;
  const highFreqWavelen = old / highFreqFactor;
  for (let i = 0; i < half; i++) {
    const wavelen = (2 * Math.PI) / inv[i];
    if (wavelen < highFreqWavelen) continue; // high frequencies: unchanged
    if (wavelen > lowFreqWavelen) {
      inv[i] = f(inv[i] / factor); // low frequencies: scaled down
    } else {
      const smooth = (old / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
      inv[i] = f((1 - smooth) * (inv[i] / factor) + smooth * inv[i]);
    }
  }
  return inv;
}

/** (positions, dim/2, 2) of (cos, sin) of position · inv_freq[i], computed as float32 products. */
export function ropeTable(params: RopeParams, positions: number): Float32Array<ArrayBuffer> {
  const inv = ropeInvFreq(params);
  const half = inv.length;
  const table = new Float32Array(positions * half * 2);
  for (let pos = 0; pos < positions; pos++) {
    for (let i = 0; i < half; i++) {
      const angle = f(pos * inv[i]);
      table[(pos * half + i) * 2] = Math.cos(angle);
      table[(pos * half + i) * 2 + 1] = Math.sin(angle);
    }
  }
  return table;
}

export class Rope {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly inPlace: GPUComputePipeline,
    private readonly copy: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext): Promise<Rope> {
    const constants = { WG: ELEMENTWISE_WG };
    const [inPlace, copy] = await Promise.all(
      ['rope_inplace', 'rope_copy'].map((entryPoint) => ctx.pipelines.get({ shader: SHADER, entryPoint, constants })),
    );
    return new Rope(ctx, inPlace, copy);
  }

  /** Rotates x (n, heads, dim), token t at position start + t. */
  encodeInPlace(rec: CommandRecorder, x: Tensor, table: Tensor, start: number, label = 'rope'): void {
    const [n, heads, dim] = x.shape;
    this.check(label, x, table, start);
    const u = new Uniforms().u32(n).u32(heads).u32(dim).u32(start).u32(0).finish();
    rec.dispatch(label, this.inPlace, u, [table, x], grid(this.ctx, (n * heads * dim) / 2, ELEMENTWISE_WG));
  }

  /** Writes rotated src (n, heads, dim) to dst rows dstRow0 .. dstRow0 + n - 1, token t at position start + t. */
  encodeInto(rec: CommandRecorder, src: Tensor, dst: Tensor, dstRow0: number, table: Tensor, start: number, label = 'rope'): void {
    const [n, heads, dim] = src.shape;
    this.check(label, src, table, start);
    expectTensor(label, 'dst', dst, [undefined, heads, dim]);
    if (dstRow0 + n > dst.shape[0]) {
      throw new InvalidArgumentError(`${label}: rows ${dstRow0}..${dstRow0 + n - 1} past the end of dst (${dst.shape[0]} rows)`);
    }
    const u = new Uniforms().u32(n).u32(heads).u32(dim).u32(start).u32(dstRow0).finish();
    rec.dispatch(label, this.copy, u, [table, dst, src], grid(this.ctx, (n * heads * dim) / 2, ELEMENTWISE_WG));
  }

  private check(label: string, x: Tensor, table: Tensor, start: number): void {
    const [n, heads, dim] = x.shape;
    expectTensor(label, 'x', x, [n, heads, dim]);
    if (dim % 2 !== 0) throw new InvalidArgumentError(`${label}: head_dim ${dim} must be even`);
    expectTensor(label, 'table', table, [undefined, dim / 2, 2]);
    if (start + n > table.shape[0]) {
      throw new InvalidArgumentError(`${label}: positions up to ${start + n - 1} but the table covers ${table.shape[0]}`);
    }
  }
}
