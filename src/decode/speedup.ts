/**
 * The analytic model of speculative decoding (Leviathan et al. 2023, §3.3–3.4), used by the auto
 * policy and the benchmark. α: probability that one drafted token is accepted (assumed i.i.d.);
 * c: cost of one draft forward relative to one target forward; k: tokens drafted per step.
 */

/** Expected tokens emitted per step: 1 + α + … + α^k = (1 − α^(k+1)) / (1 − α). */
export function expectedTokensPerStep(alpha: number, k: number): number {
  if (alpha >= 1) return k + 1;
  return (1 - alpha ** (k + 1)) / (1 - alpha);
}

/** Expected speedup over plain decoding when a verify pass costs one target forward: (1 − α^(k+1)) / ((1 − α)(c·k + 1)). */
export function expectedSpeedup(alpha: number, c: number, k: number): number {
  return expectedTokensPerStep(alpha, k) / (c * k + 1);
}

/**
 * Per-token acceptance probability estimated from steps: every accepted token is one success, every
 * step that stopped at a rejection one failure. (accepted / drafted would undercount: drafts after the
 * first rejection are never examined.)
 */
export function estimateAlpha(accepted: number, rejections: number): number {
  const examined = accepted + rejections;
  return examined > 0 ? accepted / examined : 0;
}
