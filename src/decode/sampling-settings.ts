/**
 * How the next token is chosen from logits. One settings object drives the plain path, the draft
 * model and the target's verification alike: speculative decoding is lossless only when draft and
 * target probabilities come from the same transform.
 */
import { InvalidArgumentError } from '../errors';

export interface SamplingSettings {
  /** 0 means greedy (argmax). Otherwise logits are divided by it. */
  temperature: number;
  /** Keep only the k most likely tokens; 0 disables. */
  topK: number;
  /** Keep the smallest set of most likely tokens whose mass reaches topP; 1 disables. */
  topP: number;
  /** Drop tokens whose probability is below minP × the top probability; 0 disables. */
  minP: number;
  /** >1 discourages tokens seen in the last `repetitionWindow` tokens (CTRL-style); 1 disables. */
  repetitionPenalty: number;
  /** How many of the most recent tokens (prompt included) the penalty looks at. */
  repetitionWindow: number;
}

export const GREEDY: Readonly<SamplingSettings> = {
  temperature: 0,
  topK: 0,
  topP: 1,
  minP: 0,
  repetitionPenalty: 1,
  repetitionWindow: 64,
};

/** Fills defaults (greedy) and rejects out-of-range values with InvalidArgumentError naming the field. */
export function samplingSettings(partial: Partial<SamplingSettings> = {}): SamplingSettings {
  const s = { ...GREEDY, ...partial };
  const check = (ok: boolean, field: keyof SamplingSettings, want: string) => {
    if (!ok) throw new InvalidArgumentError(`sampling setting ${field} = ${s[field]}: must be ${want}`);
  };
  check(Number.isFinite(s.temperature) && s.temperature >= 0, 'temperature', 'a finite number >= 0');
  check(Number.isInteger(s.topK) && s.topK >= 0, 'topK', 'an integer >= 0');
  check(s.topP > 0 && s.topP <= 1, 'topP', 'in (0, 1]');
  check(s.minP >= 0 && s.minP < 1, 'minP', 'in [0, 1)');
  check(Number.isFinite(s.repetitionPenalty) && s.repetitionPenalty > 0, 'repetitionPenalty', 'a finite number > 0');
  check(Number.isInteger(s.repetitionWindow) && s.repetitionWindow >= 0, 'repetitionWindow', 'an integer >= 0');
  return s;
}

/** Greedy decoding: the token is the argmax, the distribution a point mass. */
export const isGreedy = (s: SamplingSettings): boolean => s.temperature === 0 || s.topK === 1;

/** Whether the step needs the token history (otherwise argmax / probabilities depend on logits alone). */
export const usesHistory = (s: SamplingSettings): boolean => s.repetitionPenalty !== 1 && s.repetitionWindow > 0;
