/**
 * In-place broadcast add: a (len) += b (period) repeated, len a multiple of period.
 * Residual connections (b the same shape as a) and biases (b of shape (features), a of shape (n, features)).
 */
import { InvalidArgumentError } from '../errors';
import type { GpuContext } from '../gpu/context';
import type { CommandRecorder } from '../gpu/recorder';
import { shaderSource } from '../gpu/shader';
import { expectTensor, numel, type Tensor } from '../gpu/tensor';
import code from '../../shaders/add.wgsl?raw';
import { ELEMENTWISE_WG, grid, Uniforms } from './common';

const SHADER = shaderSource('add.wgsl', code);

export class AddInPlace {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext): Promise<AddInPlace> {
    const pipeline = await ctx.pipelines.get({ shader: SHADER, entryPoint: 'add_inplace', constants: { WG: ELEMENTWISE_WG } });
    return new AddInPlace(ctx, pipeline);
  }

  encode(rec: CommandRecorder, a: Tensor, b: Tensor, label = 'add'): void {
    const len = numel(a.shape);
    const period = numel(b.shape);
    expectTensor(label, 'a', a, a.shape);
    expectTensor(label, 'b', b, b.shape);
    if (period === 0 || len % period !== 0) {
      throw new InvalidArgumentError(`${label}: b (${b.shape.join(', ')}) does not tile a (${a.shape.join(', ')})`);
    }
    const u = new Uniforms().u32(len).u32(period).finish();
    rec.dispatch(label, this.pipeline, u, [a, b], grid(this.ctx, len, ELEMENTWISE_WG));
  }
}
