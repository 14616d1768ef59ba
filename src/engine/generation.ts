/**
 * One generation: options → prompt ids → the decoding loop → streamed text.
 *
 * The decoder (src/decode/generate.ts) yields token ids a step at a time; this turns them into chunks
 * whose text is final: the streaming detokenizer holds back half-finished characters, the stop matcher
 * holds back what may be the start of a stop string. The chunk's tokens and stats are the step's own.
 */
import { generate as decodeTokens, type GenerateChunk as DecodeChunk, type StopReason } from '../decode/generate';
import { GenerationTally } from '../decode/stats';
import { AbortError, InvalidArgumentError } from '../errors';
import { StopMatcher } from '../tokenizer/stop-matcher';
import { StreamingDetokenizer } from '../tokenizer/stream-decoder';
import { planDrafting } from './drafting';
import type { LoadedPair } from './pair';
import type { Drafting, FinishReason, GenerateChunk, GenerateOptions, GenerationStats } from './types';

/** Why the engine ended a generation from outside: the caller's signal, or dispose(). */
export type EndCause = 'abort' | 'disposed';

export interface GenerationControl {
  /** Aborted with an EndCause as its reason. */
  signal: AbortSignal;
  /** Called with each decoding step in flight, so dispose() can wait for it before freeing models. */
  track<T>(step: Promise<T>): Promise<T>;
}

const FINISH: Record<StopReason, FinishReason> = { eos: 'stop', 'max-tokens': 'length', 'context-length': 'length' };

export async function* runGeneration(
  pair: LoadedPair,
  options: GenerateOptions,
  drafting: Drafting,
  control: GenerationControl,
): AsyncGenerator<GenerateChunk, void, undefined> {
  const { tokenizer } = pair;
  const prompt = promptIds(pair, options);
  const stops = stopStrings(options.stop);
  const maxTokens = options.maxNewTokens;
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 0)) {
    throw new InvalidArgumentError(`maxNewTokens must be an integer >= 0; got ${JSON.stringify(maxTokens)}`);
  }
  const plan = planDrafting(pair, options.drafting ?? drafting, options.speculative);

  const eos = new Set(tokenizer.eosTokenIds);
  const detokenizer = new StreamingDetokenizer((ids) => tokenizer.decode(ids), prompt);
  const stopper = new StopMatcher(stops);
  let stats = emptyStats(prompt.length);

  /**
   * The last chunk: `chunk` plus everything still held back (a stop string may complete in it).
   * Ending because of dispose() is not a chunk but an AbortError('disposed').
   */
  const finish = (chunk: GenerateChunk, reason: FinishReason): GenerateChunk => {
    if (reason === 'abort' && control.signal.reason === 'disposed') {
      throw new AbortError('the engine was disposed during the generation', 'disposed');
    }
    const tail = stopper.push(detokenizer.flush());
    const rest = tail.text + (tail.stopped ? '' : stopper.flush());
    const pieces = chunk.pieces.length > 0 ? [...chunk.pieces.slice(0, -1), chunk.pieces[chunk.pieces.length - 1] + rest] : [];
    return { ...chunk, text: chunk.text + rest, pieces, finishReason: tail.stopped ? 'stop' : reason };
  };
  const nothing = (): GenerateChunk => ({ text: '', pieces: [], tokens: [], provenance: [], stats });

  const steps = decodeTokens(prompt, {
    target: pair.target.model,
    drafter: plan.drafter,
    k: plan.k,
    sampling: samplingOf(options),
    seed: options.seed,
    maxTokens,
    eosTokenIds: [...eos],
    signal: control.signal,
  });
  try {
    for (;;) {
      let next: IteratorResult<DecodeChunk, { stopReason: StopReason }>;
      try {
        next = await control.track(steps.next());
      } catch (err) {
        if (!control.signal.aborted) throw err;
        yield finish(nothing(), 'abort'); // the decoder noticed the abort before its next step
        return;
      }
      if (next.done) {
        yield finish(nothing(), FINISH[next.value.stopReason]);
        return;
      }
      const step = next.value;
      stats = { ...step.totals, promptTokens: prompt.length };
      // Token by token, so each token's text is known (the demo colours text by provenance).
      const pieces: string[] = [];
      let stopped = false;
      for (const t of step.tokens) {
        if (stopped || eos.has(t)) {
          pieces.push('');
          continue;
        }
        const out = stopper.push(detokenizer.push([t]));
        pieces.push(out.text);
        stopped = out.stopped;
      }
      const emitted = { text: pieces.join(''), stopped };
      const chunk: GenerateChunk = { text: emitted.text, pieces, tokens: step.tokens, provenance: step.provenance, stats };
      if (emitted.stopped || step.stopReason || control.signal.aborted) {
        yield emitted.stopped ? { ...chunk, finishReason: 'stop' } : finish(chunk, step.stopReason ? FINISH[step.stopReason] : 'abort');
        return;
      }
      yield chunk;
      // The consumer may have sat on this chunk while the engine was disposed.
      if (control.signal.reason === 'disposed') finish(nothing(), 'abort');
    }
  } finally {
    await steps.return(undefined as never);
  }
}

/** Statistics of a generation that has not run a step. */
export function emptyStats(promptTokens: number): GenerationStats {
  return { ...new GenerationTally(0).snapshot(), promptTokens };
}

function promptIds(pair: LoadedPair, options: GenerateOptions): number[] {
  const given = [options.prompt, options.messages, options.promptIds].filter((v) => v !== undefined).length;
  if (given !== 1) throw new InvalidArgumentError('give exactly one of `prompt`, `messages` and `promptIds`');
  if (options.promptIds !== undefined) {
    const ids = options.promptIds;
    const vocab = pair.target.model.vocabSize;
    if (!Array.isArray(ids) || ids.length === 0) throw new InvalidArgumentError('`promptIds` must be a non-empty array of token ids');
    const bad = ids.findIndex((t) => !(Number.isInteger(t) && t >= 0 && t < vocab));
    if (bad >= 0) {
      throw new InvalidArgumentError(`promptIds[${bad}] = ${JSON.stringify(ids[bad])} is not a token id of this model (0 ≤ id < ${vocab})`);
    }
    return [...ids];
  }
  if (options.prompt !== undefined && typeof options.prompt !== 'string') throw new InvalidArgumentError('`prompt` must be a string');
  const ids = options.prompt !== undefined ? pair.tokenizer.encodePrompt(options.prompt) : pair.tokenizer.encodeChat(options.messages ?? []);
  if (ids.length === 0) throw new InvalidArgumentError('the prompt is empty (and the model adds no BOS token): give some text');
  return ids;
}

function stopStrings(stop: GenerateOptions['stop']): string[] {
  if (stop === undefined) return [];
  const list = typeof stop === 'string' ? [stop] : stop;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) {
    throw new InvalidArgumentError('`stop` must be a string or an array of strings');
  }
  return list;
}

/** The sampling fields that are set (undefined must not override the decoder's defaults). */
function samplingOf(o: GenerateOptions) {
  const fields = { temperature: o.temperature, topK: o.topK, topP: o.topP, minP: o.minP, repetitionPenalty: o.repetitionPenalty };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}
