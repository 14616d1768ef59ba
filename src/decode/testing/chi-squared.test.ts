import { describe, expect, it } from 'vitest';
import { chiSquaredPValue, chiSquaredTest, lnGamma } from './chi-squared';

describe('chi-squared', () => {
  it('lnGamma matches factorials', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(11)).toBeCloseTo(Math.log(3628800), 10);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it('p-values match tabulated critical values', () => {
    // (df, x, upper tail) from standard chi-squared tables
    const table: [number, number, number][] = [
      [1, 3.841, 0.05],
      [2, 5.991, 0.05],
      [10, 18.307, 0.05],
      [10, 23.209, 0.01],
      [100, 124.342, 0.05],
      [255, 293.248, 0.05],
      [30, 59.703, 0.001],
    ];
    for (const [df, x, p] of table) expect(chiSquaredPValue(x, df)).toBeCloseTo(p, 3);
  });

  it('pools small cells and flags impossible outcomes', () => {
    const r = chiSquaredTest([50, 50, 0, 0], [0.5, 0.5, 0, 0]);
    expect(r.cells).toBe(2);
    expect(r.pValue).toBeCloseTo(1, 9);
    expect(chiSquaredTest([49, 50, 1, 0], [0.5, 0.5, 0, 0]).pValue).toBe(0);
  });
});
