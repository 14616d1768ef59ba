/**
 * Activations of a forward pass, taken from the context's buffer pool and returned after submission
 * (later passes reuse them; the queue orders the work). Buffers are sized for the largest chunk; every
 * chunk of the pass reuses them, since the command buffer runs the chunks in order. Token ids get a
 * buffer per chunk: they are written with queue.writeBuffer, which lands before the whole pass runs
 * (a token drafted on the GPU is instead copied into its ids buffer by the command buffer itself).
 */
import type { GpuContext } from '../gpu/context';
import type { DType, Tensor } from '../gpu/tensor';
import { tensorBytes } from '../gpu/tensor';
import { Argmax } from '../kernels/argmax';
import type { ModelConfig } from './config';

/** The tensors of one chunk of n tokens, `rows` of which get logits. */
export interface Activations {
  n: number;
  ids: Tensor; // (n) u32
  x: Tensor; // (n, H) residual stream
  h: Tensor; // (n, H) normed
  qkv: Tensor; // (n, (nh + 2·nkv)·hd)
  q: Tensor; // (n, nh, hd) rotated queries
  attn: Tensor; // (n, nh·hd)
  gateUp: Tensor; // (n, 2·I)
  act: Tensor; // (n, I)
  xLast: Tensor; // (1, H)
  hLast: Tensor; // (1, H)
  logits: Tensor; // (rows, V)
  argmaxIds: Tensor; // (rows) u32
  argmaxScratch: GPUBuffer;
}

type Name = Exclude<keyof Activations, 'n' | 'ids' | 'argmaxScratch'>;

export class Scratch {
  private readonly buffers = new Map<Name | 'argmaxScratch', GPUBuffer>();
  private readonly owned: GPUBuffer[] = [];

  /** Room for chunks of up to `capacity` tokens and `logitRows` rows of logits. */
  constructor(
    private readonly ctx: GpuContext,
    private readonly c: ModelConfig,
    capacity: number,
    logitRows: number,
    private readonly label: string,
  ) {
    const rows = Math.max(1, logitRows);
    for (const [name, [shape, dtype]] of Object.entries(this.shapes(capacity, rows)) as [Name, [number[], DType]][]) {
      this.buffers.set(name, this.acquire(tensorBytes(shape, dtype), `${label} ${name}`));
    }
    this.buffers.set('argmaxScratch', this.acquire(Argmax.scratchBytes(rows, c.vocabSize), `${label} argmax scratch`));
  }

  /**
   * Tensors for a chunk of n ≤ capacity tokens with `rows` ≤ logitRows rows of logits. `ids` are token ids
   * uploaded now, or an (n) u32 tensor that GPU work encoded earlier fills (a drafted token).
   */
  activations(n: number, rows: number, ids: Uint32Array<ArrayBuffer> | Tensor): Activations {
    let idsTensor: Tensor;
    if ('shape' in ids) idsTensor = ids;
    else {
      idsTensor = this.u32(n, 'ids');
      this.ctx.write(idsTensor.buffer, 0, ids);
    }
    const a: Partial<Activations> = { n, ids: idsTensor, argmaxScratch: this.buffers.get('argmaxScratch')! };
    for (const [name, [shape, dtype]] of Object.entries(this.shapes(n, Math.max(1, rows))) as [Name, [number[], DType]][]) {
      (a as Record<Name, Tensor>)[name] = { buffer: this.buffers.get(name)!, shape, dtype };
    }
    return a as Activations;
  }

  /** An (n) u32 tensor owned by this scratch, uninitialised. */
  u32(n: number, name: string): Tensor {
    return { buffer: this.acquire(n * 4, `${this.label} ${name}`), shape: [n], dtype: 'u32' };
  }

  release(): void {
    for (const b of this.owned) this.ctx.pool.release(b);
    this.owned.length = 0;
  }

  private shapes(n: number, rows: number): Record<Name, [number[], DType]> {
    const { hiddenSize: H, headDim: hd, numHeads: nh, numKvHeads: nkv, intermediateSize: I, vocabSize: V } = this.c;
    return {
      x: [[n, H], 'f32'],
      h: [[n, H], 'f32'],
      qkv: [[n, (nh + 2 * nkv) * hd], 'f32'],
      q: [[n, nh, hd], 'f32'],
      attn: [[n, nh * hd], 'f32'],
      gateUp: [[n, 2 * I], 'f32'],
      act: [[n, I], 'f32'],
      xLast: [[1, H], 'f32'],
      hLast: [[1, H], 'f32'],
      logits: [[rows, V], 'f32'],
      argmaxIds: [[rows], 'u32'],
    };
  }

  private acquire(bytes: number, label: string): GPUBuffer {
    this.ctx.checkBindingSize(label, bytes);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const b = this.ctx.pool.acquire(Math.max(bytes, 4), usage, label);
    this.owned.push(b);
    return b;
  }
}
