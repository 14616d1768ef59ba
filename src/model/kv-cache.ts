/**
 * The keys and values of one sequence on the GPU, per layer:
 *   k, v: (maxLength, kvHeads, headDim) f32, rows 0 .. length-1 valid.
 * Keys are stored after RoPE. Truncating only moves `length`: rows past it are overwritten by the next
 * forward pass and never read before that (attention reads rows 0 ..= position).
 */
import { InvalidArgumentError } from '../errors';
import type { GpuContext } from '../gpu/context';
import type { Tensor } from '../gpu/tensor';

export interface KvLayer {
  readonly k: Tensor; // (maxLength, kvHeads, headDim)
  readonly v: Tensor; // (maxLength, kvHeads, headDim)
}

export class KvCache {
  readonly layers: readonly KvLayer[];
  private len = 0;

  constructor(
    ctx: GpuContext,
    label: string,
    numLayers: number,
    readonly maxLength: number,
    readonly kvHeads: number,
    readonly headDim: number,
  ) {
    const shape = [maxLength, kvHeads, headDim];
    this.layers = Array.from({ length: numLayers }, (_, l) => ({
      k: ctx.createTensor(`${label} k cache ${l}`, shape, 'f32'),
      v: ctx.createTensor(`${label} v cache ${l}`, shape, 'f32'),
    }));
  }

  get length(): number {
    return this.len;
  }

  /** Bytes of one position across all KV heads (one row of k or v). */
  get rowBytes(): number {
    return this.kvHeads * this.headDim * 4;
  }

  /** Cuts the cache back to `length` positions (dropping rejected speculative tokens). */
  truncate(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.len) {
      throw new InvalidArgumentError(`truncate(${length}): the KV cache holds ${this.len} tokens`);
    }
    this.len = length;
  }

  /** Records that positions up to `length` - 1 now hold keys and values. */
  extendTo(length: number): void {
    if (length > this.maxLength) throw new InvalidArgumentError(`KV cache of ${this.maxLength} cannot hold ${length}`, 'context-length');
    this.len = length;
  }

  destroy(): void {
    for (const l of this.layers) {
      l.k.buffer.destroy();
      l.v.buffer.destroy();
    }
  }
}
