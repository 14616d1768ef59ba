import { describe, expect, it } from 'vitest';
import { lookupContinuation } from './prompt-lookup';

describe('prompt lookup', () => {
  it('proposes what followed the latest earlier occurrence of the last n tokens, as point masses', () => {
    //            0  1  2  3  4  5  6  7  8  9
    const ctx = [5, 1, 2, 9, 8, 1, 2, 7, 6, 1, 2];
    const d = lookupContinuation(ctx, 3, 3, 1);
    expect(d.tokens).toEqual([7, 6, 1]); // latest earlier "1 2" is at 5, not at 1
    expect(d.dists).toEqual([7, 6, 1].map((token) => ({ kind: 'point', token })));
  });

  it('prefers the longest n-gram that matches', () => {
    const ctx = [3, 4, 9, 0, 4, 1, 3, 4];
    expect(lookupContinuation(ctx, 2, 3, 1).tokens).toEqual([9, 0]); // "3 4" occurs at 0
    expect(lookupContinuation(ctx, 2, 1, 1).tokens).toEqual([1, 3]); // "4" alone: latest at 4
  });

  it('continues a repeating pattern past the end of the context', () => {
    expect(lookupContinuation([1, 2, 3, 1, 2, 3, 1, 2], 5, 2, 1).tokens).toEqual([3, 1, 2, 3, 1]);
    expect(lookupContinuation([4, 4], 3, 3, 1).tokens).toEqual([4, 4, 4]);
  });

  it('proposes nothing without a match, or for k = 0', () => {
    expect(lookupContinuation([1, 2, 3, 4], 4, 3, 1).tokens).toEqual([]);
    expect(lookupContinuation([1, 1, 1], 0, 3, 1).tokens).toEqual([]);
    expect(lookupContinuation([1], 3, 3, 1).tokens).toEqual([]);
  });
});
