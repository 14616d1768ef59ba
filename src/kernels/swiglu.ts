/** SwiGLU: out (n, f) = silu(gate (n, f)) · up (n, f). */
import type { GpuContext } from '../gpu/context';
import type { CommandRecorder } from '../gpu/recorder';
import { shaderSource } from '../gpu/shader';
import { expectTensor, numel, type Tensor } from '../gpu/tensor';
import code from '../../shaders/swiglu.wgsl?raw';
import { ELEMENTWISE_WG, grid, Uniforms } from './common';

const SHADER = shaderSource('swiglu.wgsl', code);

export class SwiGlu {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext): Promise<SwiGlu> {
    const pipeline = await ctx.pipelines.get({ shader: SHADER, entryPoint: 'swiglu', constants: { WG: ELEMENTWISE_WG } });
    return new SwiGlu(ctx, pipeline);
  }

  encode(rec: CommandRecorder, gate: Tensor, up: Tensor, out: Tensor, label = 'swiglu'): void {
    expectTensor(label, 'up', up, gate.shape);
    expectTensor(label, 'out', out, gate.shape);
    const len = numel(gate.shape);
    rec.dispatch(label, this.pipeline, new Uniforms().u32(len).finish(), [gate, up, out], grid(this.ctx, len, ELEMENTWISE_WG));
  }
}
