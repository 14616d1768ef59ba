/**
 * RoPE frequencies: the one definition used by the CPU reference (and the one the GPU kernels must match).
 *
 * Convention (Hugging Face "rotate_half"): within a head of size d, dimension i < d/2 pairs with i + d/2 and
 * rotates by angle pos * invFreq[i], with invFreq[i] = theta^(-2i/d) / scale[i]:
 *   out[i]       = x[i] * cos - x[i + d/2] * sin
 *   out[i + d/2] = x[i + d/2] * cos + x[i] * sin
 * llama.cpp's NEOX mode is the same; its NORM mode pairs (2i, 2i+1) and GGUF Llama files permute Q/K rows to
 * suit it, which the GGUF loader undoes.
 *
 * `scale[i]` is 1 except under Llama 3's `rope_scaling` (type "llama3"), where low frequencies are slowed by
 * `factor` and a band between is interpolated (transformers' `_compute_llama3_parameters`; llama.cpp stores the
 * same per-frequency divisors as the `rope_freqs.weight` tensor).
 */
import type { ModelConfig, RopeScalingLlama3 } from './config';

/** Per-frequency divisors of Llama 3 scaling: (headDim/2). */
export function llama3FreqDivisors(s: RopeScalingLlama3, headDim: number, theta: number): Float64Array {
  const out = new Float64Array(headDim / 2);
  const lowFreqWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
  const highFreqWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
  for (let i = 0; i < out.length; i++) {
    const wavelen = 2 * Math.PI * theta ** ((2 * i) / headDim);
    if (wavelen < highFreqWavelen) out[i] = 1;
    else if (wavelen > lowFreqWavelen) out[i] = s.factor;
    else {
      const smooth = (s.originalMaxPositionEmbeddings / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      out[i] = 1 / ((1 - smooth) / s.factor + smooth);
    }
  }
  return out;
}

/** invFreq: (headDim/2), with any rope scaling applied. */
export function ropeInverseFrequencies(config: ModelConfig): Float64Array {
  const d = config.headDim;
  const inv = new Float64Array(d / 2);
  const div = config.ropeScaling ? llama3FreqDivisors(config.ropeScaling, d, config.ropeTheta) : undefined;
  for (let i = 0; i < inv.length; i++) inv[i] = config.ropeTheta ** ((-2 * i) / d) / (div ? div[i] : 1);
  return inv;
}

/**
 * Recovers Llama 3 scaling parameters from llama.cpp's per-frequency divisors (`rope_freqs.weight`).
 * The divisors fix the parameters only up to a common scale of (original context, low, high factor), which
 * gives the same frequencies, so we pick lowFreqFactor = 1. Returns undefined when no parameters reproduce them.
 */
export function fitLlama3Scaling(divisors: ArrayLike<number>, headDim: number, theta: number): RopeScalingLlama3 | undefined {
  const n = divisors.length;
  const factor = Math.max(...Array.from(divisors));
  const wavelen = (i: number) => 2 * Math.PI * theta ** ((2 * i) / headDim);
  const tol = 1e-5;
  const candidates: RopeScalingLlama3[] = [];
  const smooth: { wl: number; s: number }[] = [];
  let maxOne = 0; // longest wavelength left unscaled
  let minFull = Infinity; // shortest wavelength scaled by `factor`
  for (let i = 0; i < n; i++) {
    const f = divisors[i];
    if (Math.abs(f - 1) <= tol) maxOne = Math.max(maxOne, wavelen(i));
    else if (Math.abs(f - factor) <= tol * factor) minFull = Math.min(minFull, wavelen(i));
    else smooth.push({ wl: wavelen(i), s: (1 / f - 1 / factor) / (1 - 1 / factor) });
  }
  if (smooth.length >= 2) {
    // s = A / wavelen - B with A = orig / (high - low), B = low / (high - low), low = 1.
    const a = smooth[0], b = smooth[smooth.length - 1];
    const A = (a.s - b.s) / (1 / a.wl - 1 / b.wl);
    const B = A / a.wl - a.s;
    const tidy = (x: number) => (Math.abs(x - Math.round(x)) < 1e-3 ? Math.round(x) : x);
    if (B > 0) {
      candidates.push({ type: 'llama3', factor, lowFreqFactor: 1, highFreqFactor: tidy(1 + 1 / B), originalMaxPositionEmbeddings: tidy(A / B) });
    }
  }
  if (smooth.length === 0 && minFull < Infinity) {
    // No interpolated band: any boundaries between the unscaled and the scaled wavelengths will do.
    const low = maxOne > 0 ? (maxOne + minFull) / 2 : minFull / 2;
    const high = maxOne > 0 ? (maxOne + low) / 2 : low / 2;
    candidates.push({ type: 'llama3', factor, lowFreqFactor: 1, highFreqFactor: low / high, originalMaxPositionEmbeddings: low });
  }
  candidates.push({ type: 'llama3', factor, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 });
  for (const c of candidates) {
    const got = llama3FreqDivisors(c, headDim, theta);
    if (got.every((g, i) => Math.abs(g - divisors[i]) <= 1e-4 * Math.abs(divisors[i]))) return c;
  }
  return undefined;
}
