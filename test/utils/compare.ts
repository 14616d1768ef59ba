/** Fast array comparisons that fail with the first differing index and both values. */
export function expectSameValues(got: ArrayLike<number>, want: ArrayLike<number>, label = 'values'): void {
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length}, expected ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${label}: index ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

/** Largest |a[i] - b[i]|, with where it happened. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; index: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  let index = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= max)) {
      max = d;
      index = i;
    }
  }
  return { max, index };
}
