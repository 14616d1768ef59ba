/**
 * Argmax over the last dimension: ids (rows) u32 = argmax x (rows, cols), lowest index among ties.
 * Lets greedy decoding read back a few integers instead of the logits.
 */
import type { GpuContext } from '../gpu/context';
import type { CommandRecorder } from '../gpu/recorder';
import { shaderSource } from '../gpu/shader';
import { expectTensor, type Tensor } from '../gpu/tensor';
import code from '../../shaders/argmax.wgsl?raw';
import { ELEMENTWISE_WG, grid, Uniforms } from './common';

const SHADER = shaderSource('argmax.wgsl', code);
/** Columns scanned by one invocation of the first pass. */
const CHUNK = 256;

export class Argmax {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly partial: GPUComputePipeline,
    private readonly final: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext): Promise<Argmax> {
    const constants = { WG: ELEMENTWISE_WG };
    const [partial, final] = await Promise.all(
      ['argmax_partial', 'argmax_final'].map((entryPoint) => ctx.pipelines.get({ shader: SHADER, entryPoint, constants })),
    );
    return new Argmax(ctx, partial, final);
  }

  /** Scratch bytes `encode` needs for `rows` rows of `cols` columns. */
  static scratchBytes(rows: number, cols: number): number {
    return rows * Math.ceil(cols / CHUNK) * 8;
  }

  /** `scratch` must hold `Argmax.scratchBytes(rows, cols)` bytes. */
  encode(rec: CommandRecorder, x: Tensor, out: Tensor, scratch: GPUBuffer, label = 'argmax'): void {
    const [rows, cols] = x.shape;
    expectTensor(label, 'x', x, [rows, cols]);
    expectTensor(label, 'out', out, [rows], ['u32']);
    const chunks = Math.ceil(cols / CHUNK);
    const u = new Uniforms().u32(rows).u32(cols).u32(CHUNK).u32(chunks).finish();
    const part = { buffer: scratch, offset: 0, size: Argmax.scratchBytes(rows, cols) };
    rec.dispatch(`${label} partial`, this.partial, u, [x, part], grid(this.ctx, rows * chunks, ELEMENTWISE_WG));
    rec.dispatch(`${label} final`, this.final, u, [null, part, out], grid(this.ctx, rows, ELEMENTWISE_WG));
  }
}
