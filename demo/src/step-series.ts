/**
 * Per-step figures of one generation, derived from its streamed chunks: each chunk is one decoding step
 * and carries running totals, so a step's own figures are differences of consecutive totals.
 */
import type { GenerateChunk, GenerationStats } from 'foresight';

export interface StepSeries {
  /** (steps,) running tokens/s of the generation after each step. */
  tokensPerSecond: number[];
  /** (steps,) this step's tokens / this step's time. */
  stepTokensPerSecond: number[];
  /** (steps,) running accepted / drafted; NaN until something was drafted. */
  acceptanceRate: number[];
  /** (steps,) this step's accepted / drafted; NaN when it drafted nothing. */
  stepAcceptance: number[];
  /** (steps,) tokens drafted (k, or fewer when prompt lookup finds less). */
  drafted: number[];
  /** (steps,) drafted tokens the target accepted. */
  accepted: number[];
}

export function emptySeries(): StepSeries {
  return { tokensPerSecond: [], stepTokensPerSecond: [], acceptanceRate: [], stepAcceptance: [], drafted: [], accepted: [] };
}

export class StepRecorder {
  readonly series = emptySeries();
  private last: GenerationStats | undefined;

  /** Adds the chunk's step; a chunk without tokens (the end marker) adds nothing. Returns whether it added. */
  add(chunk: GenerateChunk): boolean {
    const s = chunk.stats;
    if (chunk.tokens.length === 0 || (this.last && s.steps === this.last.steps)) {
      this.last = s;
      return false;
    }
    const before = this.last;
    const drafted = s.drafted - (before?.drafted ?? 0);
    const accepted = s.accepted - (before?.accepted ?? 0);
    const stepMs = s.decodeMs - (before?.decodeMs ?? 0);
    const stepTokens = s.tokens - (before?.tokens ?? 0);
    const out = this.series;
    out.tokensPerSecond.push(s.tokensPerSecond);
    out.stepTokensPerSecond.push(stepMs > 0 ? (1000 * stepTokens) / stepMs : NaN);
    out.acceptanceRate.push(s.drafted > 0 ? s.acceptanceRate : NaN);
    out.stepAcceptance.push(drafted > 0 ? accepted / drafted : NaN);
    out.drafted.push(drafted);
    out.accepted.push(accepted);
    this.last = s;
    return true;
  }
}
