/**
 * A GPU tensor: a buffer with a shape and an element type. Kernels validate shapes against these,
 * never against raw byte sizes alone.
 */
import { InvalidArgumentError } from '../errors';

/** Element types on the GPU. f16 is used for weights only, and only on adapters with `shader-f16`. */
export type DType = 'f32' | 'f16' | 'u32';

export interface Tensor {
  readonly buffer: GPUBuffer;
  /** Outermost first, e.g. (tokens, hidden). */
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export const BYTES: Record<DType, number> = { f32: 4, f16: 2, u32: 4 };

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function tensorBytes(shape: readonly number[], dtype: DType): number {
  return numel(shape) * BYTES[dtype];
}

/** Throws unless `t` has exactly `shape` (entries may be `undefined` to accept any size there) and one of `dtypes`. */
export function expectTensor(
  op: string,
  name: string,
  t: Tensor,
  shape: readonly (number | undefined)[],
  dtypes: readonly DType[] = ['f32'],
): void {
  const ok = t.shape.length === shape.length && shape.every((s, i) => s === undefined || s === t.shape[i]);
  if (!ok) {
    const want = shape.map((s) => s ?? '*').join(', ');
    throw new InvalidArgumentError(`${op}: ${name} has shape (${t.shape.join(', ')}), expected (${want})`);
  }
  if (!dtypes.includes(t.dtype)) {
    throw new InvalidArgumentError(`${op}: ${name} has dtype ${t.dtype}, expected ${dtypes.join(' or ')}`);
  }
  if (t.buffer.size < tensorBytes(t.shape, t.dtype)) {
    throw new InvalidArgumentError(`${op}: ${name} buffer (${t.buffer.size} bytes) is smaller than its shape needs`);
  }
}

/** A view of `t` with another shape of the same element count (e.g. (n, heads*dim) as (n*heads, dim)). */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  if (numel(shape) !== numel(t.shape)) {
    throw new InvalidArgumentError(`reshape: (${t.shape.join(', ')}) cannot become (${shape.join(', ')})`);
  }
  return { buffer: t.buffer, shape, dtype: t.dtype };
}
