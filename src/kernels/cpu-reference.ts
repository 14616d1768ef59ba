/**
 * Plain TypeScript versions of every kernel (f64 accumulation), the references the GPU kernels are tested
 * against. Written for clarity, not speed. Shapes as in the kernel modules.
 */

/** y (m, n) = x (m, k) · Wᵀ, W (n, k). */
export function matmulRef(x: ArrayLike<number>, w: ArrayLike<number>, m: number, n: number, k: number): Float32Array {
  const y = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += x[i * k + t] * w[j * k + t];
      y[i * n + j] = s;
    }
  return y;
}

/** out (rows, dim) = x / sqrt(mean(x²) + eps) · weight. */
export function rmsnormRef(x: ArrayLike<number>, weight: ArrayLike<number>, rows: number, dim: number, eps: number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let d = 0; d < dim; d++) ss += x[r * dim + d] ** 2;
    const scale = 1 / Math.sqrt(ss / dim + eps);
    for (let d = 0; d < dim; d++) out[r * dim + d] = x[r * dim + d] * scale * weight[d];
  }
  return out;
}

/** out (n, dim) = table[ids]. */
export function embeddingRef(ids: ArrayLike<number>, table: ArrayLike<number>, dim: number): Float32Array {
  const out = new Float32Array(ids.length * dim);
  for (let t = 0; t < ids.length; t++) for (let d = 0; d < dim; d++) out[t * dim + d] = table[ids[t] * dim + d];
  return out;
}

export function swigluRef(gate: ArrayLike<number>, up: ArrayLike<number>): Float32Array {
  const out = new Float32Array(gate.length);
  for (let i = 0; i < gate.length; i++) out[i] = (gate[i] / (1 + Math.exp(-gate[i]))) * up[i];
  return out;
}

/**
 * rotate_half RoPE of x (n, heads, dim), token t at position start + t, with inv_freq (dim/2).
 * Angles in f64 from the same float32 inv_freq the GPU table uses.
 */
export function ropeRef(x: ArrayLike<number>, n: number, heads: number, dim: number, start: number, invFreq: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(x);
  const half = dim / 2;
  for (let t = 0; t < n; t++)
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < half; i++) {
        const angle = Math.fround((start + t) * invFreq[i]);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        const a = (t * heads + h) * dim + i;
        const x1 = x[a];
        const x2 = x[a + half];
        out[a] = x1 * c - x2 * s;
        out[a + half] = x2 * c + x1 * s;
      }
  return out;
}

/**
 * Causal GQA attention: q (n, heads, dim) at positions start.., k/v (≥ start+n, kvHeads, dim).
 * Plain softmax over the scores (not the streaming form the GPU uses).
 */
export function attentionRef(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  n: number,
  heads: number,
  kvHeads: number,
  dim: number,
  start: number,
): Float32Array {
  const out = new Float32Array(n * heads * dim);
  const group = heads / kvHeads;
  for (let t = 0; t < n; t++)
    for (let h = 0; h < heads; h++) {
      const kvh = Math.floor(h / group);
      const keys = start + t + 1;
      const scores = new Float64Array(keys);
      for (let j = 0; j < keys; j++) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += q[(t * heads + h) * dim + d] * k[(j * kvHeads + kvh) * dim + d];
        scores[j] = s / Math.sqrt(dim);
      }
      const max = Math.max(...scores);
      let sum = 0;
      for (let j = 0; j < keys; j++) sum += (scores[j] = Math.exp(scores[j] - max));
      for (let d = 0; d < dim; d++) {
        let acc = 0;
        for (let j = 0; j < keys; j++) acc += scores[j] * v[(j * kvHeads + kvh) * dim + d];
        out[(t * heads + h) * dim + d] = acc / sum;
      }
    }
  return out;
}

/** Index of the first maximum of each row; NaN never wins. */
export function argmaxRef(x: ArrayLike<number>, rows: number, cols: number): Uint32Array {
  const out = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < cols; c++) {
      if (x[r * cols + c] > bestV) {
        bestV = x[r * cols + c];
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}
