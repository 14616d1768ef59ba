/**
 * SwiGLU over the fused gate/up projection: out (n, f) = silu(gate) · up, where gu (n, 2f) holds
 * [gate | up] per token (one matmul with W_gate and W_up stacked, see src/model/transformer-weights.ts).
 */
import { InvalidArgumentError } from '../errors';
import type { GpuContext } from '../gpu/context';
import type { CommandRecorder } from '../gpu/recorder';
import { shaderSource } from '../gpu/shader';
import { expectTensor, type Tensor } from '../gpu/tensor';
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

  encode(rec: CommandRecorder, gateUp: Tensor, out: Tensor, label = 'swiglu'): void {
    const [n, f2] = gateUp.shape;
    if (f2 % 2 !== 0) throw new InvalidArgumentError(`${label}: gate/up width ${f2} is odd`);
    expectTensor(label, 'gateUp', gateUp, [n, f2]);
    expectTensor(label, 'out', out, [n, f2 / 2]);
    const u = new Uniforms().u32(n).u32(f2 / 2).finish();
    rec.dispatch(label, this.pipeline, u, [gateUp, out], grid(this.ctx, (n * f2) / 2, ELEMENTWISE_WG));
  }
}
