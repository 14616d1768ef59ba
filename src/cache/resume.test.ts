// Resume, integrity and quota, in Node over the directory backend (the browser runs the same code over
// IndexedDB in e2e/cache.test.ts). Each property test has a control showing the check is what catches it.
import { readFile, readdir, truncate, unlink, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoadError, QuotaError } from '../errors';
import { safetensorsFile } from '../../test/server/fixtures';
import { hashFiles, hashSource, offlineFetch, startHarness, type Harness } from '../../test/server/harness';
import type { CacheBackend } from './backend';
import { sha256Hex } from './sha256';

let h: Harness;
const WEIGHTS = 'model.safetensors';
const SIZE = 2_000_000; // ~31 chunks of 64 KiB
// Slots: config, generation_config, tokenizer, tokenizer_config, special_tokens_map (absent), weights.
const WEIGHTS_SLOT = 5;

beforeAll(async () => {
  h = await startHarness({ shards: [SIZE] });
});
afterAll(() => h.close());
beforeEach(() => {
  h.server.hooks.reset();
  h.server.resetStats();
});

const weightGets = () => h.server.log.filter((r) => r.method === 'GET' && r.path.endsWith(WEIGHTS));

/** Path of a chunk file: <dir>/v1/<model>/<slot>/<index>. */
async function chunkPath(dir: string, slot: number, index: number): Promise<string> {
  const [model] = await readdir(join(dir, 'v1'));
  return join(dir, 'v1', model, String(slot), String(index));
}

describe('resume', () => {
  it('resumes a download cut off halfway from its last stored chunk, with a Range request', async () => {
    const { cache } = h.cache();
    h.server.hooks.cutAfter(WEIGHTS, SIZE / 2, { lingerMs: 200 });
    const err = await cache.load(h.source, { retries: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(LoadError);
    expect(err.message).toMatch(/connection lost|ended after/);
    const [partial] = await cache.listModels();
    expect(partial.complete).toBe(false);
    const stored = partial.files.find((f) => f.name === WEIGHTS)!.stored;
    // What arrived before the cut, in whole chunks (the client may drop bytes still in its buffers).
    expect(stored).toBeGreaterThan(SIZE / 4);
    expect(stored % (64 * 1024)).toBe(0);

    const model = await cache.load(h.source); // "after reload": a new load over the same directory
    const gets = weightGets();
    expect(gets.at(-1)).toMatchObject({ range: `bytes=${stored}-`, status: 206 });
    expect(gets.at(-1)!.ifRange).toBeUndefined(); // not CORS-safelisted: the ETag of the 206 is compared instead
    expect(h.server.stats.bytesSent).toBeLessThan(1.2 * h.repo.modelBytes);
    expect(await hashFiles(model)).toEqual(h.repo.sha256);
  });

  it('control: without resume the same cut costs more than 1.2x the model size', async () => {
    const { cache } = h.cache();
    h.server.hooks.cutAfter(WEIGHTS, SIZE / 2, { lingerMs: 200 });
    await expect(cache.load(h.source, { retries: 0 })).rejects.toBeInstanceOf(LoadError);
    const model = await cache.load(h.source, { resume: false });
    expect(weightGets().every((r) => r.range === undefined)).toBe(true);
    expect(h.server.stats.bytesSent).toBeGreaterThan(1.2 * h.repo.modelBytes);
    expect(await hashFiles(model)).toEqual(h.repo.sha256);
  });

  it('restarts from 0 when the file changed on the server between the cut and the resume', async () => {
    const changing = await startHarness({ shards: [SIZE] });
    try {
      const { cache } = changing.cache();
      changing.server.hooks.cutAfter(WEIGHTS, SIZE / 2, { lingerMs: 200 });
      await expect(cache.load(changing.source, { retries: 0 })).rejects.toBeInstanceOf(LoadError);
      const updated = safetensorsFile(SIZE, 999); // same size, other bytes
      await writeFile(join(changing.repo.dir, WEIGHTS), updated);
      const model = await cache.load(changing.source, { retries: 0 });
      const gets = changing.server.log.filter((r) => r.method === 'GET' && r.path.endsWith(WEIGHTS));
      expect(gets.slice(-2).map((r) => r.status)).toEqual([206, 200]);
      expect(await hashSource(model.files.get(WEIGHTS)!)).toBe(createHash('sha256').update(updated).digest('hex'));
    } finally {
      await changing.close();
    }
  });

  it('retries a broken connection in place, resuming', async () => {
    const { cache } = h.cache();
    h.server.hooks.cutAfter(WEIGHTS, 300_000);
    const model = await cache.load(h.source, { retries: 1 });
    expect(weightGets().map((r) => r.status)).toEqual([200, 206]);
    expect(await hashFiles(model)).toEqual(h.repo.sha256);
  });

  it('restarts from 0 when the server answers a Range request with 200 or a wrong Content-Range', async () => {
    const plain = await startHarness({ shards: [SIZE] }, { ranges: false });
    try {
      const { cache } = plain.cache();
      plain.server.hooks.cutAfter(WEIGHTS, SIZE / 2, { lingerMs: 200 });
      await expect(cache.load(plain.source, { retries: 0 })).rejects.toBeInstanceOf(LoadError);
      const model = await cache.load(plain.source);
      expect(await hashFiles(model)).toEqual(plain.repo.sha256);
    } finally {
      await plain.close();
    }

    const { cache } = h.cache();
    h.server.hooks.cutAfter(WEIGHTS, SIZE / 2, { lingerMs: 200 });
    await expect(cache.load(h.source, { retries: 0 })).rejects.toBeInstanceOf(LoadError);
    let lied = 0;
    const lying: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (res.status !== 206 || lied++ > 0) return res;
      const headers = new Headers(res.headers);
      headers.set('content-range', `bytes 0-${SIZE - 1}/${SIZE}`); // claims the start of the file
      return new Response(res.body, { status: 206, headers });
    };
    const model = await cache.load(h.source, { fetch: lying });
    expect(lied).toBe(1);
    expect(weightGets().slice(-2).map((r) => [r.range, r.status])).toEqual([[expect.stringMatching(/^bytes=\d+-$/), 206], [undefined, 200]]);
    expect(await hashFiles(model)).toEqual(h.repo.sha256);
  });
});

describe('integrity', () => {
  it('detects a flipped byte in a cached chunk and fetches that chunk again', async () => {
    const { cache, dir } = h.cache();
    await cache.load(h.source);
    const path = await chunkPath(dir, WEIGHTS_SLOT, 7);
    const bytes = await readFile(path);
    bytes[100] ^= 0x01;
    await writeFile(path, bytes);

    // Control: with the per-chunk check off, the flipped byte reaches the reader.
    const unchecked = await cache.load(h.source, { verify: false, fetch: offlineFetch() });
    expect(await hashSource(unchecked.files.get(WEIGHTS)!)).not.toBe(h.repo.sha256[WEIGHTS]);

    // Offline, the bad chunk is refused, never handed out.
    const offline = await cache.load(h.source, { fetch: offlineFetch() });
    const err = await hashSource(offline.files.get(WEIGHTS)!).catch((e) => e);
    expect(err).toBeInstanceOf(LoadError);
    expect(err.code).toBe('integrity');
    expect(err.message).toMatch(/model\.safetensors: chunk 7 .* corrupt/);

    h.server.resetStats();
    const online = await cache.load(h.source);
    expect(await hashFiles(online)).toEqual(h.repo.sha256);
    expect(online.repairs.chunks).toBe(1);
    const start = 7 * 65536;
    expect(h.server.log).toEqual([expect.objectContaining({ range: `bytes=${start}-${start + 65535}`, status: 206 })]);
    expect(await sha256Hex(await readFile(path))).toBe(await sha256Hex((await readFile(join(h.repo.dir, WEIGHTS))).subarray(start, start + 65536)));
  });

  it('detects truncated and missing chunks, even with the hash check off', async () => {
    const { cache, dir } = h.cache();
    await cache.load(h.source);
    await truncate(await chunkPath(dir, WEIGHTS_SLOT, 2), 1000);
    await unlink(await chunkPath(dir, WEIGHTS_SLOT, 9));
    h.server.resetStats();
    const model = await cache.load(h.source, { verify: false });
    expect(h.server.stats.ranges).toBe(1); // the missing chunk, found by the key listing at load
    expect(await hashFiles(model)).toEqual(h.repo.sha256);
    expect(model.repairs.chunks).toBe(2);
  });

  it("discards a download whose bytes do not match the server's sha256, and fetches it once more", async () => {
    const { cache } = h.cache();
    h.server.hooks.corrupt(WEIGHTS, 123_456);
    const model = await cache.load(h.source);
    expect(weightGets()).toHaveLength(2);
    expect(await hashFiles(model)).toEqual(h.repo.sha256);

    const second = h.cache().cache;
    h.server.hooks.corrupt(WEIGHTS, 123_456, 2);
    const err = await second.load(h.source).catch((e) => e);
    expect(err).toBeInstanceOf(LoadError);
    expect(err.name).toBe('LoadError');
    expect(err.code).toBe('integrity');
    expect(err.message).toContain(h.repo.sha256[WEIGHTS]);
    const [info] = await second.listModels();
    expect(info.complete).toBe(false);
    expect(info.files.find((f) => f.name === WEIGHTS)).toMatchObject({ stored: 0, complete: false });
  });
});

describe('quota', () => {
  it('refuses to start when the estimate leaves too little room, naming bytes needed and available', async () => {
    const { cache } = h.cache();
    const err = await cache
      .load(h.source, { storage: { estimate: async () => ({ usage: 9_000_000, quota: 10_000_000 }) } })
      .catch((e) => e);
    expect(err).toBeInstanceOf(QuotaError);
    expect(err.bytesAvailable).toBe(1_000_000);
    expect(err.bytesNeeded).toBe(h.repo.modelBytes);
    expect(err.message).toMatch(/needed.*available/);
    expect(weightGets()).toHaveLength(0);
  });

  it('turns out-of-space in the middle of a write into QuotaError, and marks nothing incomplete as complete', async () => {
    let budget = 1_000_000;
    const full = (b: CacheBackend): CacheBackend => ({
      ...b,
      async set(entries) {
        const bytes = entries.reduce((n, [k, v]) => n + (k.endsWith('/manifest') ? 0 : v.byteLength), 0);
        if (bytes > budget) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        budget -= bytes;
        return b.set(entries);
      },
    });
    const { cache, dir } = h.cache({ wrap: full });
    const err = await cache.load(h.source).catch((e) => e);
    expect(err).toBeInstanceOf(QuotaError);
    expect(err.message).toMatch(/quota exceeded while caching hf:test-org\/tiny-model@main/);
    expect(err.bytesNeeded).toBeGreaterThan(SIZE - 1_000_000);

    const [info] = await cache.listModels();
    expect(info.complete).toBe(false);
    expect(info.files.find((f) => f.name === WEIGHTS)!.complete).toBe(false);
    // Every chunk the manifest lists is stored and intact.
    const manifest = JSON.parse(await readFile(join(dir, 'v1', (await readdir(join(dir, 'v1')))[0], 'manifest'), 'utf8'));
    for (const f of manifest.files) {
      for (let i = 0; i < f.chunks.length; i++) {
        expect(await sha256Hex(await readFile(await chunkPath(dir, f.slot, i)))).toBe(f.chunks[i]);
      }
    }
    // With space again, the load resumes and completes.
    budget = Infinity;
    h.server.resetStats();
    expect(await hashFiles(await cache.load(h.source))).toEqual(h.repo.sha256);
    expect(h.server.stats.bytesSent).toBeLessThan(SIZE - 900_000);
  });
});
