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
  probeK?: number; // tokens drafted by a probe while speculation is off
  minProbeGap?: number; // steps between probes: starts here, doubles after each probe that finds it still does not pay
  maxProbeGap?: number;
  decay?: number; // weight of the past in the running averages, per step
}

export class AdaptiveK implements KPolicy {
  private readonly maxK: number;
  private readonly initialK: number;
  private readonly probeK: number;
  private readonly minProbeGap: number;
  private readonly maxProbeGap: number;
  private readonly decay: number;
  // decayed counts for α = accepted / (accepted + rejections), starting from a weak prior of 1/2
  private acceptedSum = 1;
  private examinedSum = 2;
  private draftMsPerToken: number | undefined; // running mean of one draft forward's cost
  // decayed sums for a recency-weighted least-squares line verifyMs ≈ a + b·n (n: tokens drafted)
  private fit = { w: 0, n: 0, v: 0, nn: 0, nv: 0 };
  private probeGap: number;
  private stepsSinceProbe = 0;
  private probing = false; // the last choice was a probe
  private previousDrafted = 0;

  constructor({ maxK = 8, initialK = 4, probeK = 2, minProbeGap = 4, maxProbeGap = 32, decay = 0.9 }: AdaptiveKOptions = {}) {
    this.maxK = maxK;
    this.initialK = initialK;
    this.probeK = probeK;
    this.minProbeGap = minProbeGap;
    this.maxProbeGap = maxProbeGap;
    this.decay = decay;
    this.probeGap = minProbeGap;
  }

  get alpha(): number {
    return Math.min(0.999, this.acceptedSum / this.examinedSum);
  }

  observe({ drafted, accepted, draftMs, verifyMs }: StepObservation): void {
    const g = this.decay;
    // a step slowed by something else (GC, a busy machine) counts as at most 3× the expected time
    const clip = (v: number, expected: number | undefined) => (expected === undefined ? v : Math.min(v, 3 * expected));
    if (drafted > 0) {
      this.acceptedSum = g * this.acceptedSum + accepted;
      this.examinedSum = g * this.examinedSum + accepted + (accepted < drafted ? 1 : 0);
      // after a step without drafting, a draft model first catches up on the tokens it skipped:
      // that time is not the cost of drafting, so it does not enter the per-token estimate
      if (this.previousDrafted > 0 || this.draftMsPerToken === undefined) {
        const perToken = clip(draftMs / drafted, this.draftMsPerToken);
        this.draftMsPerToken = this.draftMsPerToken === undefined ? perToken : g * this.draftMsPerToken + (1 - g) * perToken;
      }
    } else if (this.probing) {
      this.stepsSinceProbe = this.probeGap; // the drafter had nothing to offer (no lookup match): probe again next step
    }
    this.previousDrafted = drafted;
    const f = this.fit;
    const v = clip(verifyMs, f.w >= 3 ? this.verifyCost(drafted) : undefined);
    f.w = g * f.w + 1;
    f.n = g * f.n + drafted;
    f.v = g * f.v + v;
    f.nn = g * f.nn + drafted * drafted;
    f.nv = g * f.nv + drafted * v;
  }

  /** Expected tokens per millisecond when drafting k. */
  rate(k: number): number {
    return expectedTokensPerStep(this.alpha, k) / (k * (this.draftMsPerToken ?? 0) + this.verifyCost(k));
  }

  choose(): number {
    this.probing = false;
    if (this.draftMsPerToken === undefined) return this.initialK;
    let best = 0;
    for (let k = 1; k <= this.maxK; k++) if (this.rate(k) > this.rate(best)) best = k;
    this.stepsSinceProbe++;
    if (best > 0) {
      this.probeGap = this.minProbeGap;
      // While every recent step drafted about the same k, how verify cost grows with k is unknown
      // (the fit assumes flat, which flatters speculation): measure a plain step now and then.
      if (this.spreadOfK() < 0.5 && this.stepsSinceProbe >= 8) {
        this.stepsSinceProbe = 0;
        return 0;
      }
      return best;
    }
    if (this.stepsSinceProbe >= this.probeGap) {
      this.stepsSinceProbe = 0;
      this.probeGap = Math.min(this.maxProbeGap, 2 * this.probeGap);
      this.probing = true;
      return this.probeK;
    }
    return 0;
  }

  /** Recency-weighted variance of the drafted counts. */
  private spreadOfK(): number {
    const f = this.fit;
    return f.w === 0 ? 0 : f.nn / f.w - (f.n / f.w) ** 2;
  }

  /**
   * Verify cost over k drafted tokens, from a line fitted to recent steps (so one slow outlier, such
   * as a first call, fades instead of sticking to the k where it happened). The cost grows with k on
   * compute-bound hardware and barely on a GPU; with a single k seen so far it is taken as flat.
   */
  private verifyCost(k: number): number {
    const f = this.fit;
    if (f.w === 0) return 1;
    const mn = f.n / f.w;
    const mv = f.v / f.w;
    const varN = this.spreadOfK();
    const slope = varN > 1e-3 ? Math.max(0, (f.nv / f.w - mn * mv) / varN) : 0;
    return Math.max(1e-6, mv + slope * (k - mn));
  }
}
