/** The statistics block under an output: the same rows before, during and after a generation (no jumps). */
import type { FinishReason, GenerationStats } from 'foresight';
import { fillStats } from './dom';
import { formatMs, formatNumber, formatPercent } from './format';

export function showStats(dl: HTMLElement, stats: GenerationStats | undefined, finish?: FinishReason | 'running'): void {
  const s = stats;
  const drafted = s !== undefined && s.drafted > 0;
  fillStats(dl, [
    ['tokens', s ? String(s.tokens) : '–'],
    ['tokens/s', s && s.decodeMs > 0 ? formatNumber(s.tokensPerSecond) : '–'],
    ['acceptance', drafted ? formatPercent(s.acceptanceRate) : '–'],
    ['tokens/step', s && s.steps > 0 ? formatNumber(s.tokensPerStep, 2) : '–'],
    ['draft/target/lookup', s ? `${s.provenance.draft}/${s.provenance.target}/${s.provenance.lookup}` : '–'],
    ['prefill', s ? formatMs(s.prefillMs) : '–'],
    ['draft / verify', s ? `${formatMs(s.draftMs)} / ${formatMs(s.verifyMs)}` : '–'],
    ['finish', finish ?? '–'],
  ]);
  dl.dataset.finish = finish ?? '';
}
