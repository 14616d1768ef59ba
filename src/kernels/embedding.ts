/**
 * Embedding lookup: out (n, dim) f32 = table (vocab, dim) [ids (n) u32]. The table may be f16.
 * Token ids are validated on the CPU by the caller (the shader only clamps).
 */
import { GpuError } from '../errors';
import type { GpuContext } from '../gpu/context';
import type { CommandRecorder } from '../gpu/recorder';
import { shaderSource } from '../gpu/shader';
import { expectTensor, type Tensor } from '../gpu/tensor';
import code from '../../shaders/embedding.wgsl?raw';
import { ELEMENTWISE_WG, grid, Uniforms } from './common';

const SHADER = shaderSource('embedding.wgsl', code);

export class Embedding {
  private constructor(
    private readonly ctx: GpuContext,
    readonly tableDtype: 'f32' | 'f16',
    private readonly pipeline: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext, opts: { tableDtype?: 'f32' | 'f16' } = {}): Promise<Embedding> {
    const tableDtype = opts.tableDtype ?? 'f32';
    if (tableDtype === 'f16' && !ctx.profile.f16) throw new GpuError('unsupported-dtype', 'Embedding: f16 needs shader-f16');
    const pipeline = await ctx.pipelines.get({
      shader: SHADER,
      entryPoint: 'embedding',
      flags: { F16: tableDtype === 'f16' },
      constants: { WG: ELEMENTWISE_WG },
    });
    return new Embedding(ctx, tableDtype, pipeline);
  }

  encode(rec: CommandRecorder, ids: Tensor, table: Tensor, out: Tensor, label = 'embedding'): void {
    const [n] = ids.shape;
    const [vocab, dim] = table.shape;
    expectTensor(label, 'ids', ids, [n], ['u32']);
    expectTensor(label, 'table', table, [vocab, dim], [this.tableDtype]);
    expectTensor(label, 'out', out, [n, dim]);
    const u = new Uniforms().u32(n).u32(dim).u32(vocab).finish();
    rec.dispatch(label, this.pipeline, u, [ids, table, out], grid(this.ctx, n * dim, ELEMENTWISE_WG));
  }
}
