import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors';
import { defaultCacheDir, directoryBackend, openDirectoryCache } from './cache-dir';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'foresight-dir-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('directory cache', () => {
  it('defaults to $FORESIGHT_CACHE_DIR, then $XDG_CACHE_HOME/foresight, then ~/.cache/foresight', () => {
    expect(defaultCacheDir({ FORESIGHT_CACHE_DIR: '/x/y', XDG_CACHE_HOME: '/c' })).toBe('/x/y');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/foresight');
    expect(defaultCacheDir({})).toBe(join(homedir(), '.cache', 'foresight'));
  });

  it('stores keys as files under v1/, lists by prefix, and clears only its own folder', async () => {
    const dir = join(tmp, 'a');
    const b = directoryBackend(dir);
    await b.set([
      ['m1/manifest', new Uint8Array([1])],
      ['m1/0/0', new Uint8Array([2, 3])],
      ['m2/manifest', new Uint8Array([4])],
    ]);
    expect(await b.keys('m1/')).toEqual(['m1/0/0', 'm1/manifest']);
    expect(await b.get('m1/0/0')).toEqual(new Uint8Array([2, 3]));
    expect(await b.get('m1/0/1')).toBeUndefined();
    await b.delete(['m1/0/0', 'missing/key']);
    expect(await b.keys('')).toEqual(['m1/manifest', 'm2/manifest']);
    await writeFile(join(dir, 'not-ours.txt'), 'keep');
    await b.clear();
    expect(await readdir(dir)).toEqual(['not-ours.txt']);
    expect((await b.estimate())?.quota).toBeGreaterThan(0);
  });

  it('refuses keys that would leave its folder', async () => {
    const b = directoryBackend(join(tmp, 'b'));
    await expect(b.set([['../escape', new Uint8Array(1)]])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(b.get('a/../../x')).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('opens a model cache in the given folder', async () => {
    const cache = openDirectoryCache({ dir: join(tmp, 'c') });
    expect(cache.location).toBe(join(tmp, 'c', 'v1'));
    expect(await cache.listModels()).toEqual([]);
  });
});
