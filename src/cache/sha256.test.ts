import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../test/server/fixtures';
import { Sha256, sha256Hex } from './sha256';

const nodeHash = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('Sha256', () => {
  it('matches node:crypto for lengths around the block and padding boundaries', () => {
    for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 4097]) {
      const b = randomBytes(n, n + 7);
      expect(new Sha256().update(b).hex(), `length ${n}`).toBe(nodeHash(b));
    }
    expect(new Sha256().update(new TextEncoder().encode('abc')).hex()).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('gives the same hash whatever the pieces', () => {
    const b = randomBytes(10_000, 3);
    const h = new Sha256();
    for (let at = 0, step = 1; at < b.length; at += step, step = (step * 7 + 3) % 301) h.update(b.subarray(at, at + step));
    expect(h.hex()).toBe(nodeHash(b));
  });

  it('resumes from a saved state at a 64-byte boundary', () => {
    const b = randomBytes(5000, 11);
    const first = new Sha256().update(b.subarray(0, 4096));
    const resumed = Sha256.restore(first.saveState()).update(b.subarray(4096));
    expect(resumed.hex()).toBe(nodeHash(b));
    expect(() => new Sha256().update(b.subarray(0, 10)).saveState()).toThrow(/64-byte boundary/);
    expect(() => Sha256.restore('12:abc')).toThrow(/malformed/);
  });

  it('sha256Hex (crypto.subtle) agrees with node:crypto', async () => {
    const b = randomBytes(70_000, 5);
    expect(await sha256Hex(b.subarray(100, 60_000))).toBe(nodeHash(b.subarray(100, 60_000)));
  });
});
