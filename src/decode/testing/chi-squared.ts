/**
 * Pearson's chi-squared goodness-of-fit test, for checking that sampled tokens follow the target's
 * exact distribution.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; ~15 significant digits). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - lnGamma(a));
  if (x < a + 1) {
    // series for P(a, x) = front · Σ x^n / (a (a+1) … (a+n))
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) sum += term *= x / (a + n);
    return Math.max(0, 1 - front * sum);
  }
  // continued fraction for Q(a, x), modified Lentz
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return front * h;
}

/** P(χ²(df) ≥ statistic). */
export function chiSquaredPValue(statistic: number, df: number): number {
  return gammaQ(df / 2, statistic / 2);
}

export interface ChiSquaredResult {
  statistic: number;
  df: number;
  pValue: number;
  cells: number; // after pooling
}

/**
 * observed[i]: counts; expected[i]: exact probabilities (sum 1). Cells expecting fewer than
 * `minExpected` samples are pooled into one, as the χ² approximation needs. A sample in a cell of
 * probability 0 makes the p-value 0.
 */
export function chiSquaredTest(observed: ArrayLike<number>, expected: ArrayLike<number>, minExpected = 5): ChiSquaredResult {
  let n = 0;
  for (let i = 0; i < observed.length; i++) n += observed[i];
  let stat = 0;
  let cells = 0;
  let pooledObs = 0;
  let pooledExp = 0;
  let impossible = false;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] * n;
    if (expected[i] === 0 && observed[i] > 0) impossible = true;
    if (e < minExpected) {
      pooledObs += observed[i];
      pooledExp += e;
      continue;
    }
    stat += (observed[i] - e) ** 2 / e;
    cells++;
  }
  if (pooledExp > 0) {
    stat += (pooledObs - pooledExp) ** 2 / pooledExp;
    cells++;
  } else if (pooledObs > 0) impossible = true;
  const df = Math.max(1, cells - 1);
  return { statistic: stat, df, pValue: impossible ? 0 : chiSquaredPValue(stat, df), cells };
}
