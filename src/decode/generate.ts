/**
 * The token-level decoding loop: prefill, then speculative steps until a stop condition, yielding
 * each step's new tokens with their provenance and running statistics. Text (detokenizing, stop
 * strings) is the caller's concern.
 */
import { AbortError, InvalidArgumentError } from '../errors';
import { noDrafting, type Drafter, type Provenance } from './drafter';
import { AdaptiveK, fixedK, type KPolicy } from './k-policy';
import type { LanguageModel } from './language-model';
import { createRng } from './prng';
import { samplingSettings, type SamplingSettings } from './sampling-settings';
import { speculativeStep } from './speculative-step';
import { GenerationTally, stepStats, type GenerationStats, type StepStats } from './stats';

export type StopReason = 'eos' | 'max-tokens' | 'context-length';

export interface GenerateOptions {
  target: LanguageModel;
  /** Default: no drafting (plain decoding). */
  drafter?: Drafter;
  /** Tokens drafted per step, or 'auto' (AdaptiveK), or your own policy. Default 4 (0 without a drafter). */
  k?: number | 'auto' | KPolicy;
  sampling?: Partial<SamplingSettings>;
  /** Same seed, settings, models and prompt → same tokens. Unseeded runs draw a seed from Math.random. */
  seed?: number;
  /** Most tokens to generate. Default: until the context is full. */
  maxTokens?: number;
  /** Generation stops after emitting one of these (it is included in the output). */
  eosTokenIds?: readonly number[];
  /** Aborting makes the generator throw AbortError before its next step. */
  signal?: AbortSignal;
}

export interface GenerateChunk {
  tokens: number[]; // new token ids this step
  provenance: Provenance[]; // (tokens.length,)
  step: StepStats;
  totals: GenerationStats;
  /** Set on the last chunk. */
  stopReason?: StopReason;
}

export interface GenerateResult {
  tokens: number[]; // all generated ids
  stopReason: StopReason;
  stats: GenerationStats;
}

export async function* generate(
  prompt: readonly number[],
  opts: GenerateOptions,
): AsyncGenerator<GenerateChunk, GenerateResult, undefined> {
  const { target, drafter = noDrafting, signal } = opts;
  const settings = samplingSettings(opts.sampling);
  const policy = kPolicy(opts.k, drafter);
  const eos = new Set(opts.eosTokenIds ?? []);
  const limit = Math.min(target.maxLength, drafter.maxLength); // tokens the context may hold
  const maxTokens = opts.maxTokens ?? Infinity;
  validatePrompt(prompt, target, limit);
  if (!(maxTokens >= 0)) throw new InvalidArgumentError(`maxTokens must be >= 0, got ${opts.maxTokens}`);
  const rng = createRng(opts.seed);

  // Prefill: each model processes the prompt but its last token, which the first step feeds.
  if (signal?.aborted) throw new AbortError('generation aborted before it started');
  const t0 = performance.now();
  await prefill(target, prompt.slice(0, -1));
  await drafter.prepare(prompt);
  const tally = new GenerationTally(performance.now() - t0);

  const context = prompt.slice();
  const generated: number[] = [];
  let stopReason: StopReason | undefined = stopBefore(generated.length, maxTokens, context.length, limit);
  while (stopReason === undefined) {
    if (signal?.aborted) throw new AbortError(`generation aborted after ${generated.length} tokens`);
    const stepStart = performance.now();
    // Commit at most the tokens still allowed (k + 1 per step) and keep the verify pass inside the cache.
    const k = Math.max(0, Math.min(policy.choose(), maxTokens - generated.length - 1, limit - context.length - 1));
    const out = await speculativeStep({ target, drafter, context, k, settings, rng });
    policy.observe(out);

    let emitted = out.tokens.length;
    const eosAt = out.tokens.findIndex((t) => eos.has(t));
    if (eosAt >= 0) emitted = eosAt + 1;
    const tokens = out.tokens.slice(0, emitted);
    const provenance = out.provenance.slice(0, emitted);
    context.push(...tokens);
    generated.push(...tokens);

    const step = stepStats(k, out, emitted, performance.now() - stepStart);
    tally.add(step, provenance);
    stopReason = eosAt >= 0 ? 'eos' : stopBefore(generated.length, maxTokens, context.length, limit);
    yield { tokens, provenance, step, totals: tally.snapshot(), stopReason };
  }
  return { tokens: generated, stopReason, stats: tally.snapshot() };
}

/** Runs `generate` to the end and returns its result. */
export async function generateAll(prompt: readonly number[], opts: GenerateOptions): Promise<GenerateResult> {
  const it = generate(prompt, opts);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
  }
}

/** Fills the KV cache with `tokens` from position 0; its logits are not needed, so read back as little as possible. */
async function prefill(model: LanguageModel, tokens: readonly number[]) {
  model.truncate(0);
  if (tokens.length === 0) return;
  if (model.forwardArgmax) await model.forwardArgmax(tokens, 0);
  else await model.forward(tokens, 0);
}

function stopBefore(generated: number, maxTokens: number, contextLength: number, limit: number): StopReason | undefined {
  if (generated >= maxTokens) return 'max-tokens';
  if (contextLength >= limit) return 'context-length';
  return undefined;
}

function kPolicy(k: GenerateOptions['k'], drafter: Drafter): KPolicy {
  if (drafter === noDrafting) return fixedK(0);
  if (k === undefined) return fixedK(4);
  if (k === 'auto') return new AdaptiveK();
  if (typeof k === 'number') {
    if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`k must be an integer >= 0 or 'auto', got ${k}`);
    return fixedK(k);
  }
  return k;
}

function validatePrompt(prompt: readonly number[], target: LanguageModel, limit: number) {
  if (prompt.length === 0) throw new InvalidArgumentError('prompt is empty: decoding needs at least one token');
  const bad = prompt.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= target.vocabSize);
  if (bad >= 0) {
    throw new InvalidArgumentError(`prompt token ${bad} is ${prompt[bad]}, outside the vocabulary [0, ${target.vocabSize})`);
  }
  if (prompt.length > limit) {
    throw new InvalidArgumentError(`prompt has ${prompt.length} tokens, the context holds ${limit}`, 'context-length');
  }
}
