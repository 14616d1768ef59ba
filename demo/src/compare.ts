/**
 * Side by side: the same prompt and settings decoded plainly (drafting 'none') and speculatively, one after
 * the other (the engine runs one generation at a time), then the measured speed-up: decode tokens/s of
 * each (prefill excluded), after an untimed warm-up of both.
 */
import type { GenerateOptions } from 'foresight';
import { byId, h } from './dom';
import { formatNumber } from './format';
import { runGeneration, type Generator, type RunResult } from './run';
import { TokenStream } from './token-view';

export interface CompareResult {
  plain: RunResult;
  speculative: RunResult;
  /** Speculative decode tokens/s over plain decode tokens/s (prefill excluded). */
  speedup: number;
}

export async function runComparison(engine: Generator, options: GenerateOptions, speculativeLabel: string): Promise<CompareResult | undefined> {
  const panel = byId('compare-panel');
  const figure = byId('speedup');
  panel.hidden = false;
  byId('compare-spec-title').textContent = `Speculative (${speculativeLabel})`;
  figure.dataset.state = 'running';
  const plainOut = byId('compare-plain');
  const specOut = byId('compare-spec');
  plainOut.replaceChildren();
  specOut.replaceChildren();
  panel.scrollIntoView({ block: 'nearest' });

  const into = (out: HTMLElement) => {
    const span = h('span');
    out.append(span);
    return new TokenStream(span, out);
  };
  // A short untimed run of each first, so that shader compilation and first-use costs fall on neither side.
  figure.textContent = 'Warming up…';
  for (const drafting of ['none', options.drafting] as const) {
    for await (const chunk of engine.generate({ ...options, drafting, maxNewTokens: 2 })) {
      if (chunk.finishReason === 'abort') return stopped(figure);
    }
  }
  figure.textContent = 'Running plain decoding…';
  const plain = await runGeneration(engine, { ...options, drafting: 'none' }, { tokens: into(plainOut), stats: byId('compare-plain-stats') });
  if (plain.finishReason === 'abort') return stopped(figure);
  figure.textContent = 'Running speculative decoding…';
  const speculative = await runGeneration(engine, options, { tokens: into(specOut), stats: byId('compare-spec-stats') });
  if (speculative.finishReason === 'abort') return stopped(figure);

  const plainRate = plain.stats?.tokensPerSecond ?? 0;
  const specRate = speculative.stats?.tokensPerSecond ?? 0;
  const speedup = plainRate > 0 ? specRate / plainRate : NaN;
  const wall = speculative.wallMs > 0 ? plain.wallMs / speculative.wallMs : NaN;
  const same = plain.text === speculative.text;
  figure.dataset.state = 'done';
  figure.dataset.speedup = String(speedup);
  figure.textContent =
    `Speed-up ×${formatNumber(speedup, 2)}: speculative ${formatNumber(specRate)} tokens/s vs plain ${formatNumber(plainRate)} ` +
    `(decoding; wall clock with prefill ×${formatNumber(wall, 2)}). ` +
    (same ? 'Same text from both.' : options.temperature ? 'Texts differ: sampling draws differ between the two methods.' : 'Texts differ.');
  return { plain, speculative, speedup };
}

function stopped(figure: HTMLElement): undefined {
  figure.dataset.state = 'stopped';
  figure.textContent = 'Stopped before both runs finished.';
  return undefined;
}
