/**
 * Plain TypeScript f32 building blocks of the CPU reference transformer. Storage is f32; dot products
 * accumulate in f64 (JS numbers), so these are at least as accurate as any GPU kernel they are compared with.
 */

/** out (rows) = W (rows, cols) @ x (cols) [+ bias (rows)]. */
export function matvec(out: Float32Array, w: Float32Array, x: Float32Array, rows: number, cols: number, bias?: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    let acc = bias ? bias[r] : 0;
    const base = r * cols;
    for (let c = 0; c < cols; c++) acc += w[base + c] * x[c];
    out[r] = acc;
  }
}

/** RMSNorm over each of `groups` consecutive slices of length n: x / sqrt(mean(x^2) + eps) * weight (n). */
export function rmsNorm(out: Float32Array, x: Float32Array, weight: Float32Array, eps: number, n = weight.length, groups = 1): void {
  for (let g = 0; g < groups; g++) {
    const o = g * n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += x[o + i] * x[o + i];
    const scale = 1 / Math.sqrt(ss / n + eps);
    for (let i = 0; i < n; i++) out[o + i] = x[o + i] * scale * weight[i];
  }
}

/**
 * RoPE in place, HF rotate_half convention, on `heads` consecutive heads of size headDim:
 * dimension i pairs with i + headDim/2 and turns by position * invFreq[i].
 */
export function applyRope(x: Float32Array, heads: number, headDim: number, position: number, invFreq: Float64Array): void {
  const half = headDim / 2;
  for (let i = 0; i < half; i++) {
    const angle = position * invFreq[i];
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    for (let h = 0; h < heads; h++) {
      const a = h * headDim + i;
      const x0 = x[a];
      const x1 = x[a + half];
      x[a] = x0 * cos - x1 * sin;
      x[a + half] = x1 * cos + x0 * sin;
    }
  }
}

/** SwiGLU in place: gate = silu(gate) * up. */
export function swiglu(gate: Float32Array, up: Float32Array): void {
  for (let i = 0; i < gate.length; i++) {
    const g = gate[i];
    gate[i] = (g / (1 + Math.exp(-g))) * up[i];
  }
}

/** Softmax of logits as f64 (stable). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += p[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

/** Index of the largest value; the lowest index wins ties. */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}
