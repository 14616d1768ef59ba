/**
 * How many tokens to draft each step: a fixed k, or `AdaptiveK`, which picks the k that maximises
 * expected tokens per millisecond from the running acceptance rate and measured costs, and drafts
 * nothing while speculation does not pay (probing again now and then, since acceptance changes with
 * the text).
 */
import { expectedTokensPerStep } from './speedup';

export interface StepObservation {
  drafted: number;
  accepted: number;
  draftMs: number;
  verifyMs: number;
}

export interface KPolicy {
  choose(): number;
  observe(step: StepObservation): void;
}

export const fixedK = (k: number): KPolicy => ({ choose: () => k, observe: () => {} });

export interface AdaptiveKOptions {
  maxK?: number; // largest k considered
  initialK?: number; // k before anything is measured
  probeEvery?: number; // while off, draft probeK tokens once every this many steps
  probeK?: number;
  decay?: number; // weight of the past in the running averages, per step
}

export class AdaptiveK implements KPolicy {
  private readonly maxK: number;
  private readonly initialK: number;
  private readonly probeEvery: number;
  private readonly probeK: number;
  private readonly decay: number;
  // decayed counts for α = accepted / (accepted + rejections), starting from a weak prior of 1/2
  private acceptedSum = 1;
  private examinedSum = 2;
  private draftMsPerToken: number | undefined; // running mean of one draft forward's cost
  private verifyMs: (number | undefined)[]; // [n] running mean of a verify pass over n drafted tokens
  private stepsOff = 0;

  constructor({ maxK = 8, initialK = 4, probeEvery = 16, probeK = 2, decay = 0.9 }: AdaptiveKOptions = {}) {
    this.maxK = maxK;
    this.initialK = initialK;
    this.probeEvery = probeEvery;
    this.probeK = probeK;
    this.decay = decay;
    this.verifyMs = new Array(maxK + 1).fill(undefined);
  }

  get alpha(): number {
    return Math.min(0.999, this.acceptedSum / this.examinedSum);
  }

  observe({ drafted, accepted, draftMs, verifyMs }: StepObservation): void {
    const mix = (old: number | undefined, v: number) => (old === undefined ? v : this.decay * old + (1 - this.decay) * v);
    if (drafted > 0) {
      this.acceptedSum = this.decay * this.acceptedSum + accepted;
      this.examinedSum = this.decay * this.examinedSum + accepted + (accepted < drafted ? 1 : 0);
      this.draftMsPerToken = mix(this.draftMsPerToken, draftMs / drafted);
    }
    const n = Math.min(drafted, this.maxK);
    this.verifyMs[n] = mix(this.verifyMs[n], verifyMs);
  }

  /** Expected tokens per millisecond when drafting k. */
  rate(k: number): number {
    return expectedTokensPerStep(this.alpha, k) / (k * (this.draftMsPerToken ?? 0) + this.verifyCost(k));
  }

  choose(): number {
    if (this.draftMsPerToken === undefined) return this.initialK;
    let best = 0;
    for (let k = 1; k <= this.maxK; k++) if (this.rate(k) > this.rate(best)) best = k;
    if (best > 0) {
      this.stepsOff = 0;
      return best;
    }
    if (++this.stepsOff >= this.probeEvery) {
      this.stepsOff = 0;
      return this.probeK;
    }
    return 0;
  }

  /**
   * Verify cost over k drafted tokens: measured if seen, else a least-squares line through the
   * measured points (verify cost grows with k on compute-bound hardware, barely on a GPU), flat
   * when only one point is known.
   */
  private verifyCost(k: number): number {
    const known = this.verifyMs.flatMap((v, n) => (v === undefined ? [] : [[n, v] as const]));
    const exact = this.verifyMs[k];
    if (exact !== undefined) return exact;
    if (known.length === 0) return 1;
    if (known.length === 1) return known[0][1];
    const mx = known.reduce((s, [n]) => s + n, 0) / known.length;
    const my = known.reduce((s, [, v]) => s + v, 0) / known.length;
    const sxx = known.reduce((s, [n]) => s + (n - mx) ** 2, 0);
    const sxy = known.reduce((s, [n, v]) => s + (n - mx) * (v - my), 0);
    const slope = Math.max(0, sxy / sxx);
    return Math.max(1e-6, my + slope * (k - mx));
  }
}
