import { describe, expect, it } from 'vitest';
import { AbortError } from '../errors';
import { modelDrafter } from './draft-model';
import { generate, generateAll, type GenerateOptions } from './generate';
import { promptLookupDrafter } from './prompt-lookup';
import { referencePair } from './testing/reference-pairs';

const prompt = [3, 17, 42, 5, 9, 33, 3, 17];
const plainGreedy = async (opts: Omit<GenerateOptions, 'drafter' | 'k'>, p = prompt) => (await generateAll(p, opts)).tokens;

describe('greedy speculative decoding is lossless', () => {
  for (const draftKind of ['layers', 'independent'] as const) {
    for (const k of [1, 2, 4, 8]) {
      it(`draft model (${draftKind}), k = ${k}: same tokens as plain greedy`, async () => {
        const { target, draft } = await referencePair({ draftKind });
        const want = await plainGreedy({ target, maxTokens: 40 });
        const got = await generateAll(prompt, { target, drafter: modelDrafter(draft), k, maxTokens: 40 });
        expect(got.tokens).toEqual(want);
        const s = got.stats;
        expect(s.drafted).toBeGreaterThan(0);
        if (draftKind === 'layers') expect(s.accepted).toBeGreaterThan(0);
        if (draftKind === 'independent' || k > 2) expect(s.accepted).toBeLessThan(s.drafted); // rejections exercised
        expect(s.provenance.draft).toBe(s.accepted);
        expect(s.provenance.draft + s.provenance.target).toBe(40);
      });
    }
  }

  it('prompt lookup: same tokens as plain greedy, with lookups accepted', async () => {
    const { target } = await referencePair();
    const want = await plainGreedy({ target, maxTokens: 60 });
    // prompt = prompt + its own greedy continuation: the continuation's n-grams are in the context
    const p2 = [...prompt, ...want.slice(0, 30)];
    const want2 = await plainGreedy({ target, maxTokens: 40 }, p2);
    for (const k of [2, 5]) {
      const got = await generateAll(p2, { target, drafter: promptLookupDrafter(), k, maxTokens: 40 });
      expect(got.tokens).toEqual(want2);
      expect(got.stats.provenance.lookup).toBeGreaterThan(0);
    }
  });

  it('auto k, with a draft model and with prompt lookup: same tokens as plain greedy', async () => {
    for (const draftKind of ['layers', 'independent'] as const) {
      const { target, draft } = await referencePair({ draftKind });
      const want = await plainGreedy({ target, maxTokens: 60 });
      const got = await generateAll(prompt, { target, drafter: modelDrafter(draft), k: 'auto', maxTokens: 60 });
      expect(got.tokens).toEqual(want);
      const lookup = await generateAll(prompt, { target, drafter: promptLookupDrafter(), k: 'auto', maxTokens: 60 });
      expect(lookup.tokens).toEqual(want);
    }
  });

  it('uses the argmax-only pass when the models offer it: no logits read back', async () => {
    const { target, draft } = await referencePair({ argmax: true });
    const want = await plainGreedy({ target, maxTokens: 30 });
    const got = await generateAll(prompt, { target, drafter: modelDrafter(draft), k: 4, maxTokens: 30 });
    expect(got.tokens).toEqual(want);
    expect(target.calls.logitRowsReturned).toBe(0);
    expect(draft.calls.logitRowsReturned).toBe(0);
    expect(target.calls.forwardArgmax).toBeGreaterThan(0);
    // a repetition penalty changes the argmax: logits are needed again
    const pen = await generateAll(prompt, { target, sampling: { repetitionPenalty: 1.3 }, maxTokens: 5 });
    expect(pen.tokens).toHaveLength(5);
    expect(target.calls.logitRowsReturned).toBeGreaterThan(0);
  });

  it('verifies with ONE target pass per step', async () => {
    const { target, draft } = await referencePair();
    const got = await generateAll(prompt, { target, drafter: modelDrafter(draft), k: 4, maxTokens: 30 });
    expect(target.calls.forward).toBe(1 + got.stats.steps); // prefill + one per step
    expect(got.stats.tokensPerStep).toBeGreaterThan(1);
  });
});

describe('the draft cache stays in step with the committed tokens', () => {
  // A draft with the target's own weights drafts exactly the target's distributions — but only if its
  // KV cache holds exactly the committed tokens, bonus tokens included. Then every draft is accepted
  // (u·p < q with p = q), at temperature 0 and 1 alike.
  for (const sampling of [{}, { temperature: 1 }, { temperature: 0.9, topK: 20, topP: 0.95, minP: 0.02, repetitionPenalty: 1.2 }]) {
    it(`identical draft → every token accepted: ${JSON.stringify(sampling)}`, async () => {
      const { target, draft } = await referencePair({ draftKind: 'same' });
      const got = await generateAll(prompt, { target, drafter: modelDrafter(draft), k: 3, sampling, seed: 5, maxTokens: 41 });
      expect(got.tokens).toHaveLength(41);
      expect(got.stats.accepted).toBe(got.stats.drafted);
      expect(got.stats.acceptanceRate).toBe(1);
      expect(got.stats.steps).toBe(41 / 4 + 0.75); // 10 full steps of 4 + a last one clamped to 1 token
    });
  }
});

describe('sampling', () => {
  const sampling = { temperature: 1, topK: 30, topP: 0.95 };
  it('is reproducible per seed, plain and speculative', async () => {
    const { target, draft } = await referencePair();
    const run = (seed: number, spec: boolean) =>
      generateAll(prompt, { target, drafter: spec ? modelDrafter(draft) : undefined, k: 3, sampling, seed, maxTokens: 30 }).then((r) => r.tokens);
    expect(await run(11, true)).toEqual(await run(11, true));
    expect(await run(11, false)).toEqual(await run(11, false));
    expect(await run(11, true)).not.toEqual(await run(12, true));
  });
});

describe('stop conditions', () => {
  it('stops after EOS, at the same place as plain decoding', async () => {
    const { target, draft } = await referencePair();
    const plain = await plainGreedy({ target, maxTokens: 40 });
    const eos = plain[12];
    const cut = plain.indexOf(eos) + 1;
    for (const k of [0, 4]) {
      const got = await generateAll(prompt, { target, drafter: k ? modelDrafter(draft) : undefined, k, eosTokenIds: [eos], maxTokens: 40 });
      expect(got.stopReason).toBe('eos');
      expect(got.tokens).toEqual(plain.slice(0, cut));
      expect(got.stats.tokens).toBe(cut);
    }
  });

  it('emits exactly maxTokens, and stops when the context is full', async () => {
    const { target, draft } = await referencePair({ maxLength: 24 });
    const got = await generateAll(prompt, { target, drafter: modelDrafter(draft), k: 8, maxTokens: 7 });
    expect(got.tokens).toHaveLength(7);
    expect(got.stopReason).toBe('max-tokens');
    const full = await generateAll(prompt, { target, drafter: modelDrafter(draft), k: 8 });
    expect(full.stopReason).toBe('context-length');
    expect(full.tokens).toHaveLength(24 - prompt.length);
    expect(full.tokens).toEqual(await plainGreedy({ target }));
  });

  it('rejects prompts that do not fit, and bad tokens, with typed errors', async () => {
    const { target } = await referencePair({ maxLength: 8 });
    await expect(generateAll([...prompt, 1], { target })).rejects.toMatchObject({ code: 'context-length' });
    await expect(generateAll([], { target })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(generateAll([1, 96], { target })).rejects.toThrow(/token 1 is 96/);
  });

  it('throws AbortError when the signal fires', async () => {
    const { target, draft } = await referencePair();
    const ac = new AbortController();
    const chunks: number[][] = [];
    const run = (async () => {
      for await (const c of generate(prompt, { target, drafter: modelDrafter(draft), k: 2, signal: ac.signal, maxTokens: 50 })) {
        chunks.push(c.tokens);
        if (chunks.length === 2) ac.abort();
      }
    })();
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(chunks).toHaveLength(2);
  });

  it('streams per-step chunks whose totals add up', async () => {
    const { target, draft } = await referencePair();
    let n = 0;
    let last;
    for await (const c of generate(prompt, { target, drafter: modelDrafter(draft), k: 3, maxTokens: 20 })) {
      n += c.tokens.length;
      expect(c.provenance).toHaveLength(c.tokens.length);
      expect(c.step.tokens).toBe(c.tokens.length);
      expect(c.totals.tokens).toBe(n);
      last = c;
    }
    expect(last?.stopReason).toBe('max-tokens');
    expect(last?.totals.tokensPerSecond).toBeGreaterThan(0);
    expect(last?.totals.verifyMs).toBeGreaterThan(0);
  });
});
