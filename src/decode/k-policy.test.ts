import { describe, expect, it } from 'vitest';
import { modelDrafter } from './draft-model';
import { generateAll } from './generate';
import { AdaptiveK } from './k-policy';
import { expectedSpeedup, expectedTokensPerStep } from './speedup';
import { withLatency } from './testing/instrumented';
import { referencePair } from './testing/reference-pairs';

/** Feeds `steps` synthetic steps in which each drafted token is accepted while it is below alpha's share. */
function drive(policy: AdaptiveK, steps: number, alpha: number, draftMsPerToken: number, verifyMs: (n: number) => number): number[] {
  const ks: number[] = [];
  let acceptedSoFar = 0;
  let examined = 0;
  for (let s = 0; s < steps; s++) {
    const k = policy.choose();
    ks.push(k);
    // deterministic acceptance at rate alpha: accept while the running ratio stays under alpha
    let accepted = 0;
    while (accepted < k && (acceptedSoFar + 1) / (examined + 1) <= alpha) {
      accepted++;
      acceptedSoFar++;
      examined++;
    }
    if (accepted < k) examined++;
    policy.observe({ drafted: k, accepted, draftMs: k * draftMsPerToken, verifyMs: verifyMs(k) });
  }
  return ks;
}

describe('speedup model', () => {
  it('matches the closed form and its limits', () => {
    expect(expectedTokensPerStep(0, 4)).toBe(1);
    expect(expectedTokensPerStep(1, 4)).toBe(5);
    expect(expectedTokensPerStep(0.5, 2)).toBeCloseTo(1.75, 12);
    expect(expectedSpeedup(0.8, 0.1, 4)).toBeCloseTo((1 - 0.8 ** 5) / (0.2 * 1.4), 12);
  });
});

describe('AdaptiveK', () => {
  it('drafts long when drafts are cheap and usually accepted', () => {
    const ks = drive(new AdaptiveK(), 60, 0.9, 0.05, () => 1);
    const tail = ks.slice(-20);
    expect(tail.filter((k) => k >= 6).length).toBeGreaterThanOrEqual(16);
    expect(tail.every((k) => k >= 6 || k === 0)).toBe(true); // 0: a plain step measuring the verify cost
  });

  it('turns speculation off when it does not pay, probing now and then', () => {
    const ks = drive(new AdaptiveK({ minProbeGap: 10, maxProbeGap: 10, probeK: 2 }), 100, 0.1, 0.6, () => 1);
    const tail = ks.slice(20);
    expect(tail.filter((k) => k === 0).length).toBeGreaterThanOrEqual(70);
    expect(tail.filter((k) => k === 2).length).toBeGreaterThanOrEqual(6); // the probes
    expect(tail.every((k) => k === 0 || k === 2)).toBe(true);
  });

  it('backs off its probes while speculation keeps not paying, and retries a probe that drafted nothing', () => {
    const policy = new AdaptiveK({ minProbeGap: 2, maxProbeGap: 8, probeK: 2 });
    const ks = drive(policy, 80, 0, 1, () => 1); // never accepted, drafting as dear as verifying
    const probes = ks.flatMap((k, i) => (k === 2 ? [i] : []));
    const gaps = probes.slice(1).map((p, i) => p - probes[i]);
    expect(gaps.slice(-3)).toEqual([8, 8, 8]);
    expect(gaps[0]).toBeLessThan(8);
    // a probe that found nothing to propose (prompt lookup without a match) is retried at once
    let k = policy.choose();
    while (k !== 2) {
      policy.observe({ drafted: 0, accepted: 0, draftMs: 0, verifyMs: 1 });
      k = policy.choose();
    }
    policy.observe({ drafted: 0, accepted: 0, draftMs: 0, verifyMs: 1 });
    expect(policy.choose()).toBe(2);
  });

  it('does not count a draft model catching up after plain steps as drafting cost', () => {
    const policy = new AdaptiveK();
    drive(policy, 40, 0.8, 0.3, () => 1); // on: α 0.8, c 0.3
    const before = policy.rate(2) / policy.rate(0);
    for (let i = 0; i < 10; i++) {
      policy.observe({ drafted: 0, accepted: 0, draftMs: 0, verifyMs: 1 }); // a plain step
      policy.observe({ drafted: 2, accepted: 2, draftMs: 2 * 0.3 + 20, verifyMs: 1 }); // + 20 ms of catch-up
    }
    expect(policy.rate(2) / policy.rate(0)).toBeGreaterThanOrEqual(before); // α only improved; the cost did not grow
  });

  it('turns back on when acceptance improves', () => {
    const policy = new AdaptiveK({ minProbeGap: 5 });
    const before = drive(policy, 60, 0.05, 0.3, () => 1);
    expect(before.slice(-20).filter((k) => k === 0).length).toBeGreaterThanOrEqual(15);
    const after = drive(policy, 80, 0.95, 0.3, () => 1);
    expect(after.slice(-20).filter((k) => k >= 3).length).toBeGreaterThanOrEqual(16);
  });

  it('picks a moderate k when verification grows with k (compute-bound hardware)', () => {
    const ks = drive(new AdaptiveK(), 80, 0.7, 0.1, (n) => 1 + 0.5 * n);
    const last = ks.slice(-20).filter((k) => k > 0);
    expect(last.length).toBeGreaterThanOrEqual(15);
    expect(Math.max(...last)).toBeLessThanOrEqual(2); // best is 1 here; a flat verify cost would give 4
  });

  // Latencies are padded well above the reference models' own compute time, so a loaded machine does not change the costs.
  it('in generate, compute-bound costs (verify ∝ tokens, c = 1/2): speculation cannot pay, so it stays mostly off', async () => {
    const { target, draft } = await referencePair({ draftKind: 'layers' }); // greedy α ≈ 0.65
    const plain = await generateAll([3, 17, 42, 5], { target, maxTokens: 60 });
    const auto = await generateAll([3, 17, 42, 5], {
      target: withLatency(target, 0, 6),
      drafter: modelDrafter(withLatency(draft, 0, 3)),
      k: 'auto',
      maxTokens: 60,
    });
    expect(auto.tokens).toEqual(plain.tokens);
    expect(auto.stats.accepted).toBeGreaterThan(0);
    expect(auto.stats.drafted).toBeLessThan(30); // not 4 per step
  });

  it('in generate, GPU-like costs (flat verify, c = 1/8): long drafts with an agreeing draft, off with a disagreeing one', async () => {
    const same = await referencePair({ draftKind: 'same' });
    const on = await generateAll([3, 17, 42, 5], {
      target: withLatency(same.target, 24),
      drafter: modelDrafter(withLatency(same.draft, 3)),
      k: 'auto',
      maxTokens: 80,
    });
    expect(on.stats.acceptanceRate).toBe(1);
    expect(on.stats.tokensPerStep).toBeGreaterThan(5);

    const never = await referencePair({ draftKind: 'independent' }); // greedy α = 0 for this pair
    const off = await generateAll([3, 17, 42, 5], {
      target: withLatency(never.target, 24),
      drafter: modelDrafter(withLatency(never.draft, 3)),
      k: 'auto',
      maxTokens: 60,
    });
    expect(off.stats.accepted).toBe(0);
    expect(off.stats.drafted).toBeLessThan(25); // the first try (4), a few while α's prior fades, probes (2 each)
    expect(off.tokens).toEqual((await generateAll([3, 17, 42, 5], { target: never.target, maxTokens: 60 })).tokens);
  });
});
