/**
 * Per-step and per-generation decoding statistics, as they travel with streamed chunks.
 */
import type { Provenance } from './drafter';
import type { StepOutput } from './speculative-step';
import { estimateAlpha } from './speedup';

export interface StepStats {
  k: number; // tokens the policy asked for
  drafted: number; // tokens actually proposed (prompt lookup may find fewer)
  accepted: number;
  tokens: number; // emitted this step, after any stop (EOS, max tokens)
  draftMs: number;
  verifyMs: number;
  stepMs: number; // whole step, sampling included
  tokensPerSecond: number;
}

export interface GenerationStats {
  steps: number;
  draftingSteps: number; // steps that drafted at least one token
  tokens: number; // generated (prompt excluded)
  drafted: number;
  accepted: number;
  /** accepted / drafted (0 when nothing was drafted). */
  acceptanceRate: number;
  /** Per-token acceptance probability α: accepted / (accepted + steps ending in a rejection). */
  alpha: number;
  /** Mean drafted tokens accepted per step that drafted anything. */
  meanAcceptedLength: number;
  /** Mean tokens emitted per target forward (accepted + the target's own token). */
  tokensPerStep: number;
  provenance: Record<Provenance, number>; // emitted tokens by origin
  prefillMs: number;
  draftMs: number;
  verifyMs: number;
  decodeMs: number; // sum of step times (prefill excluded)
  /** tokens / decodeMs, in tokens per second. */
  tokensPerSecond: number;
}

export function stepStats(k: number, out: StepOutput, emitted: number, stepMs: number): StepStats {
  return {
    k,
    drafted: out.drafted,
    accepted: out.accepted,
    tokens: emitted,
    draftMs: out.draftMs,
    verifyMs: out.verifyMs,
    stepMs,
    tokensPerSecond: stepMs > 0 ? (1000 * emitted) / stepMs : 0,
  };
}

/** Running totals; `snapshot()` gives the derived figures. */
export class GenerationTally {
  private steps = 0;
  private draftingSteps = 0;
  private rejections = 0;
  private tokens = 0;
  private drafted = 0;
  private accepted = 0;
  private draftMs = 0;
  private verifyMs = 0;
  private decodeMs = 0;
  private provenance: Record<Provenance, number> = { draft: 0, lookup: 0, target: 0 };

  constructor(private readonly prefillMs: number) {}

  add(step: StepStats, provenance: readonly Provenance[]): void {
    this.steps++;
    if (step.drafted > 0) this.draftingSteps++;
    if (step.accepted < step.drafted) this.rejections++;
    this.tokens += step.tokens;
    this.drafted += step.drafted;
    this.accepted += step.accepted;
    this.draftMs += step.draftMs;
    this.verifyMs += step.verifyMs;
    this.decodeMs += step.stepMs;
    for (const p of provenance) this.provenance[p]++;
  }

  snapshot(): GenerationStats {
    return {
      steps: this.steps,
      draftingSteps: this.draftingSteps,
      tokens: this.tokens,
      drafted: this.drafted,
      accepted: this.accepted,
      acceptanceRate: this.drafted > 0 ? this.accepted / this.drafted : 0,
      alpha: estimateAlpha(this.accepted, this.rejections),
      meanAcceptedLength: this.draftingSteps > 0 ? this.accepted / this.draftingSteps : 0,
      tokensPerStep: this.steps > 0 ? this.tokens / this.steps : 0,
      provenance: { ...this.provenance },
      prefillMs: this.prefillMs,
      draftMs: this.draftMs,
      verifyMs: this.verifyMs,
      decodeMs: this.decodeMs,
      tokensPerSecond: this.decodeMs > 0 ? (1000 * this.tokens) / this.decodeMs : 0,
    };
  }
}
