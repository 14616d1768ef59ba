/**
 * One streamed generation into the page: tokens into a TokenStream, statistics into a <dl>, per-step
 * figures to a callback (the charts). Resolves with what the comparison and the chat history need.
 */
import type { FinishReason, GenerateChunk, GenerateOptions, GenerationStats } from 'foresight';
import { showStats } from './stats-view';
import { StepRecorder, type StepSeries } from './step-series';
import type { TokenStream } from './token-view';

/** What the page needs of an engine: the streaming call of the public API. */
export interface Generator {
  generate(options: GenerateOptions): AsyncIterable<GenerateChunk>;
}

export interface RunResult {
  text: string;
  stats: GenerationStats | undefined;
  finishReason: FinishReason;
  /** From the call to the last chunk, prefill and queueing included. */
  wallMs: number;
  series: StepSeries;
}

export interface RunView {
  tokens: TokenStream;
  stats: HTMLElement;
  onStep?: (series: StepSeries) => void;
}

export async function runGeneration(engine: Generator, options: GenerateOptions, view: RunView): Promise<RunResult> {
  const started = performance.now();
  const recorder = new StepRecorder();
  let text = '';
  let stats: GenerationStats | undefined;
  let finishReason: FinishReason = 'abort';
  showStats(view.stats, undefined, 'running');
  try {
    for await (const chunk of engine.generate(options)) {
      text += chunk.text;
      stats = chunk.stats;
      view.tokens.push(chunk);
      if (recorder.add(chunk)) view.onStep?.(recorder.series);
      if (chunk.finishReason) finishReason = chunk.finishReason;
      showStats(view.stats, stats, chunk.finishReason ?? 'running');
    }
  } catch (err) {
    showStats(view.stats, stats, undefined);
    throw err;
  } finally {
    view.tokens.end();
  }
  showStats(view.stats, stats, finishReason);
  return { text, stats, finishReason, wallMs: performance.now() - started, series: recorder.series };
}
