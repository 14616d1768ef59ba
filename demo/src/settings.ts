/** The settings form as generate() options. Empty fields fall back to the engine's defaults. */
import type { Drafting, GenerateOptions } from 'foresight';
import { byId } from './dom';

export type RunSettings = Pick<
  GenerateOptions,
  'temperature' | 'topK' | 'topP' | 'minP' | 'seed' | 'maxNewTokens' | 'drafting' | 'speculative'
>;

const DRAFTINGS: readonly Drafting[] = ['model', 'prompt-lookup', 'auto', 'none'];

export function readSettings(): RunSettings {
  const num = (id: string): number | undefined => {
    const input = byId<HTMLInputElement>(id);
    return input.value.trim() === '' || !Number.isFinite(input.valueAsNumber) ? undefined : input.valueAsNumber;
  };
  const drafting = byId<HTMLSelectElement>('drafting').value as Drafting;
  const kAuto = byId<HTMLInputElement>('k-auto').checked;
  return {
    temperature: num('temperature'),
    topK: num('top-k'),
    topP: num('top-p'),
    minP: num('min-p'),
    seed: num('seed'),
    maxNewTokens: num('max-tokens'),
    drafting: DRAFTINGS.includes(drafting) ? drafting : undefined,
    speculative: { k: kAuto ? 'auto' : (num('k') ?? 4) },
  };
}

/** Keeps the k field in step with "auto" and with drafting "none" (where k means nothing). */
export function wireSettings(): void {
  const k = byId<HTMLInputElement>('k');
  const kAuto = byId<HTMLInputElement>('k-auto');
  const drafting = byId<HTMLSelectElement>('drafting');
  const sync = () => {
    k.disabled = kAuto.checked || drafting.value === 'none';
    kAuto.disabled = drafting.value === 'none';
  };
  kAuto.addEventListener('change', sync);
  drafting.addEventListener('change', sync);
  sync();
}
