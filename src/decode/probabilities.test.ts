import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors';
import { probability, type Distribution } from './distribution';
import { toProbabilities } from './probabilities';
import { createRng } from './prng';
import { samplingSettings } from './sampling-settings';

const dense = (d: Distribution) => {
  if (d.kind !== 'dense') throw new Error('expected a dense distribution');
  return d.probs;
};

function randomLogits(n: number, seed: number, scale = 3): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => scale * (rng.next() * 2 - 1));
}

/** Straightforward reference: penalty, temperature, full sort for top-k / top-p, min-p. */
function referenceProbs(logits: ArrayLike<number>, s: ReturnType<typeof samplingSettings>, history: number[]): number[] {
  const z = Array.from(logits);
  for (const t of new Set(history.slice(-s.repetitionWindow))) z[t] = z[t] > 0 ? z[t] / s.repetitionPenalty : z[t] * s.repetitionPenalty;
  const t = z.map((v) => v / s.temperature);
  const order = t.map((_, i) => i).sort((a, b) => t[b] - t[a] || a - b);
  const allowed = new Set(s.topK > 0 ? order.slice(0, s.topK) : order);
  const max = Math.max(...t);
  let p = t.map((v, i) => (allowed.has(i) ? Math.exp(v - max) : 0));
  let sum = p.reduce((a, b) => a + b, 0);
  p = p.map((v) => v / sum);
  if (s.topP < 1) {
    const byP = p.map((_, i) => i).sort((a, b) => p[b] - p[a] || a - b);
    let mass = 0;
    const keep = new Set<number>();
    for (const i of byP) {
      if (mass >= s.topP) break;
      keep.add(i);
      mass += p[i];
    }
    p = p.map((v, i) => (keep.has(i) ? v : 0));
  }
  const pmax = Math.max(...p);
  p = p.map((v) => (v < s.minP * pmax ? 0 : v));
  sum = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / sum);
}

describe('toProbabilities', () => {
  it('is a point mass on the argmax at temperature 0, lowest id on ties', () => {
    expect(toProbabilities([1, 5, 2, 5], samplingSettings())).toEqual({ kind: 'point', token: 1 });
    expect(toProbabilities([1, 5, 2, 5], samplingSettings({ temperature: 0.7, topK: 1 }))).toEqual({ kind: 'point', token: 1 });
  });

  it('greedy argmax sees the repetition penalty', () => {
    const s = samplingSettings({ repetitionPenalty: 2 });
    expect(toProbabilities([1, 5, 4, 0], s, [1])).toEqual({ kind: 'point', token: 2 }); // 5/2 < 4
    expect(toProbabilities([1, 5, 4, 0], { ...s, repetitionWindow: 1 }, [1, 3])).toEqual({ kind: 'point', token: 1 }); // 1 outside the window
  });

  it('is softmax(logits / T) without filters', () => {
    const logits = [0.5, -1, 2, 0];
    const p = dense(toProbabilities(logits, samplingSettings({ temperature: 0.5 })));
    const e = logits.map((v) => Math.exp(v / 0.5));
    const z = e.reduce((a, b) => a + b);
    e.forEach((v, i) => expect(p[i]).toBeCloseTo(v / z, 12));
  });

  const cases = [
    { temperature: 1, topK: 5 },
    { temperature: 0.8, topP: 0.9 },
    { temperature: 1.3, minP: 0.1 },
    { temperature: 1, repetitionPenalty: 1.5, repetitionWindow: 8 },
    { temperature: 0.7, topK: 40, topP: 0.8, minP: 0.05, repetitionPenalty: 1.2, repetitionWindow: 16 },
    { temperature: 1, topK: 300 }, // the sort path for large k
  ];
  for (const partial of cases) {
    for (const vocab of [7, 50, 5003]) {
      it(`matches a sort-everything reference: ${JSON.stringify(partial)}, vocab ${vocab}`, () => {
        const s = samplingSettings(partial);
        const logits = randomLogits(vocab, vocab + partial.temperature * 10, vocab > 1000 ? 8 : 3);
        const rng = createRng(vocab);
        const history = Array.from({ length: 30 }, () => Math.floor(rng.next() * vocab));
        const got = dense(toProbabilities(logits, s, history));
        const want = referenceProbs(logits, s, history);
        for (let i = 0; i < vocab; i++) {
          if (Math.abs(got[i] - want[i]) > 1e-9) throw new Error(`token ${i}: got ${got[i]}, want ${want[i]}`);
        }
      });
    }
  }

  it('top-p keeps the smallest prefix reaching the mass, including the token that crosses it', () => {
    const p = [0.5, 0.3, 0.15, 0.05];
    const logits = p.map(Math.log);
    const kept = dense(toProbabilities(logits, samplingSettings({ temperature: 1, topP: 0.75 })));
    expect(Array.from(kept, (v) => v > 0)).toEqual([true, true, false, false]);
    const kept2 = dense(toProbabilities(logits, samplingSettings({ temperature: 1, topP: 0.85 })));
    expect(Array.from(kept2, (v) => v > 0)).toEqual([true, true, true, false]);
    expect(probability({ kind: 'dense', probs: kept2 }, 2)).toBeCloseTo(0.15 / 0.95, 12);
  });

  it('ignores -Infinity logits (masked tokens) and rejects all-masked logits', () => {
    const p = dense(toProbabilities([-Infinity, 0, 0], samplingSettings({ temperature: 1 })));
    expect(Array.from(p)).toEqual([0, 0.5, 0.5]);
    expect(() => toProbabilities([-Infinity, -Infinity], samplingSettings({ temperature: 1 }))).toThrow(/largest logit/);
  });

  it('rejects bad settings with a typed error naming the field', () => {
    expect(() => samplingSettings({ topP: 0 })).toThrow(InvalidArgumentError);
    expect(() => samplingSettings({ temperature: -1 })).toThrow(/temperature/);
    expect(() => samplingSettings({ topK: 1.5 })).toThrow(/topK/);
    expect(() => samplingSettings({ minP: 1 })).toThrow(/minP/);
  });
});
