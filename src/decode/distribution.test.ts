import { describe, expect, it } from 'vitest';
import { acceptProbability, pointMass, residual, sample, type Distribution } from './distribution';
import { createRng } from './prng';

const d = (...p: number[]): Distribution => ({ kind: 'dense', probs: Float64Array.from(p) });

describe('distributions', () => {
  it('samples in proportion to the probabilities, never a zero-mass token', () => {
    const rng = createRng(3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[sample(d(0.1, 0, 0.6, 0.3), rng)]++;
    expect(counts[1]).toBe(0);
    [0.1, 0, 0.6, 0.3].forEach((p, i) => expect(Math.abs(counts[i] / 40_000 - p)).toBeLessThan(0.01));
  });

  it('residual is normalize(max(0, q − p))', () => {
    const r = residual(d(0.5, 0.3, 0.2), d(0.2, 0.6, 0.2));
    expect(r.kind).toBe('dense');
    if (r.kind === 'dense') {
      expect(r.probs[0]).toBeCloseTo(1, 12);
      expect(r.probs[1]).toBe(0);
      expect(r.probs[2]).toBe(0);
    }
    // point-mass draft (prompt lookup): q with the proposed token removed
    const r2 = residual(d(0.5, 0.3, 0.2), pointMass(0));
    expect(r2.kind === 'dense' && Array.from(r2.probs).map((v) => +v.toFixed(12))).toEqual([0, 0.6, 0.4]);
    // greedy target: still its argmax
    expect(residual(pointMass(2), pointMass(1))).toEqual(pointMass(2));
  });

  it('accept probability is min(1, q/p), and a draft token its own p rules out is an error', () => {
    expect(acceptProbability(d(0.2, 0.8), d(0.4, 0.6), 0)).toBeCloseTo(0.5, 12);
    expect(acceptProbability(d(0.2, 0.8), d(0.4, 0.6), 1)).toBe(1);
    expect(acceptProbability(pointMass(1), pointMass(1), 1)).toBe(1);
    expect(acceptProbability(pointMass(1), pointMass(0), 0)).toBe(0);
    expect(acceptProbability(d(0.3, 0.7), pointMass(1), 1)).toBe(0.7);
    expect(() => acceptProbability(d(0.3, 0.7), d(1, 0), 1)).toThrow(/probability 0/);
  });
});
