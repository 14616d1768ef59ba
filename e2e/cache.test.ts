// The model cache in Chromium over real IndexedDB: a Vite dev server serves e2e/pages/cache.html, the
// test server serves a generated Hub repo (another origin, so CORS and Range headers are exercised).
// Scenarios: first download with progress, offline reload, resume after a cut, corruption repair,
// quota (pre-check and a real QuotaExceededError from an overridden origin quota), list/delete/clear.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../test/utils/chromium';
import type { ViteDevServer } from 'vite';
import { startTestVite } from '../test/utils/vite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CacheTestApi, PageLoadOptions, PageLoadResult } from './pages/cache-page';
import { writeHubRepo, type GeneratedRepo } from '../test/server/fixtures';
import { startTestServer, type TestServer } from '../test/server/index';

const CHUNK = 64 * 1024;
const PUBLIC = join(process.cwd(), 'public');
const WEIGHTS = 'model-00001-of-00002.safetensors';
const WEIGHTS_SLOT = 6; // config, generation_config, tokenizer, tokenizer_config, special_tokens_map, index, shards

let tmp: string;
let repo: GeneratedRepo;
let server: TestServer;
let vite: ViteDevServer;
let browser: Browser;
let page: Page;
let pageUrl: string;
let db = 0;

declare global {
  // eslint-disable-next-line no-var
  var cacheTest: CacheTestApi;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'foresight-e2e-cache-'));
  repo = await writeHubRepo(join(tmp, 'hub'), { shards: [2_500_000, 1_500_000] });
  server = await startTestServer({ hubRoot: join(tmp, 'hub'), gzipJson: true }); // CDN-like: JSON gzipped
  vite = await startTestVite({ cacheDir: join(tmp, 'vite') });
  pageUrl = `${vite.resolvedUrls!.local[0]}e2e/pages/cache.html`;
  browser = await launchChromium({ webgpu: false });
  page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await open();
});

afterAll(async () => {
  await browser?.close();
  await vite?.close();
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  server.hooks.reset();
  server.resetStats();
  db++;
});

async function open(): Promise<void> {
  await page.goto(pageUrl);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
}

const source = () => `hf:${repo.owner}/${repo.repo}`;
const id = () => `hf:${repo.owner}/${repo.repo}@main`;
const options = (extra: Partial<PageLoadOptions> = {}): PageLoadOptions => ({ database: `e2e-${db}`, hubBase: server.url, chunkSize: CHUNK, ...extra });
const load = (extra: Partial<PageLoadOptions> = {}): Promise<PageLoadResult> =>
  page.evaluate(([s, o]) => globalThis.cacheTest.load(s, o), [source(), options(extra)] as const);
const weightGets = () => server.log.filter((r) => r.method === 'GET' && r.path.endsWith(WEIGHTS));

describe('browser model cache (IndexedDB)', () => {
  it('downloads with monotonic progress to 100%, then reloads with the network blocked, byte-identical', async () => {
    const first = await load();
    expect(first.error).toBeUndefined();
    expect(first.hashes).toEqual(repo.sha256);
    expect(first.bytesDownloaded).toBe(repo.modelBytes);
    expect(first.events.length).toBeGreaterThan(3);
    let overall = 0;
    const perFile = new Map<string, number>();
    for (const e of first.events) {
      expect(e.overall.bytesDone).toBeGreaterThanOrEqual(overall);
      expect(e.bytesDone).toBeGreaterThanOrEqual(perFile.get(e.file) ?? 0);
      overall = e.overall.bytesDone;
      perFile.set(e.file, e.bytesDone);
    }
    expect(first.events.at(-1)!.overall).toMatchObject({ bytesDone: repo.modelBytes, bytesTotal: repo.modelBytes });

    await open(); // reload
    let blocked = 0;
    await page.route(`${server.url}/**`, (route) => (blocked++, route.abort()));
    server.resetStats();
    try {
      const second = await load();
      expect(second.error).toBeUndefined();
      expect(second.hashes).toEqual(repo.sha256);
      expect(second.bytesDownloaded).toBe(0);
      expect(blocked).toBe(0);
      expect(server.stats.requests).toBe(0);
    } finally {
      await page.unroute(`${server.url}/**`);
    }
  });

  it('resumes a download cut off halfway after a reload, with Range requests and < 1.2x the bytes', async () => {
    server.hooks.cutAfter(WEIGHTS, 1_250_000, { lingerMs: 1000 });
    const cut = await load({ retries: 0 });
    expect(cut.error).toMatchObject({ name: 'LoadError', code: 'download' });
    const partial = await page.evaluate((d) => globalThis.cacheTest.list(d), options().database);
    expect(partial[0].complete).toBe(false);
    const stored = partial[0].files.find((f) => f.name === WEIGHTS)!.stored;
    expect(stored).toBeGreaterThan(1_000_000); // what was sent before the cut, in whole chunks

    await open(); // reload
    const resumed = await load();
    expect(resumed.error).toBeUndefined();
    expect(resumed.hashes).toEqual(repo.sha256);
    expect(weightGets().at(-1)).toMatchObject({ range: `bytes=${stored}-`, status: 206 });
    expect(server.stats.ranges).toBeGreaterThan(0);
    expect(server.log.filter((r) => r.method === 'OPTIONS')).toEqual([]); // a single Range needs no preflight
    expect(server.stats.bytesSent).toBeLessThan(1.2 * repo.modelBytes);
  });

  it('detects a flipped byte in a cached chunk and fetches that chunk again', async () => {
    expect((await load()).hashes).toEqual(repo.sha256);
    await page.evaluate(([d, i, s]) => globalThis.cacheTest.flipByte(d, i, s, 3, 1000), [options().database, id(), WEIGHTS_SLOT] as const);
    await open();
    server.resetStats();
    const repaired = await load();
    expect(repaired.error).toBeUndefined();
    expect(repaired.hashes).toEqual(repo.sha256);
    expect(repaired.repairs).toBe(1);
    expect(server.log).toEqual([expect.objectContaining({ range: `bytes=${3 * CHUNK}-${4 * CHUNK - 1}`, status: 206 })]);

    server.resetStats(); // the repaired chunk was written back: the next load needs no network
    expect((await load()).hashes).toEqual(repo.sha256);
    expect(server.stats.requests).toBe(0);
  });

  it('gives a typed QuotaError before downloading, and on QuotaExceededError mid-write leaves nothing complete', async () => {
    const indexBytes = (await stat(join(repo.dir, 'model.safetensors.index.json'))).size;
    const early = await load({ estimate: { usage: 9_000_000, quota: 10_000_000 } });
    expect(early.error).toMatchObject({ name: 'QuotaError', code: 'quota' });
    expect(early.error!.extra).toEqual({ bytesNeeded: repo.modelBytes - indexBytes, bytesAvailable: 1_000_000 });
    expect(weightGets()).toHaveLength(0);

    // IndexedDB refuses a write part-way through (DOMException QuotaExceededError).
    const late = await load({ quotaBudget: 1_000_000 });
    expect(late.error).toMatchObject({ name: 'QuotaError', code: 'quota' });
    expect(late.error!.message).toMatch(/quota exceeded while caching/);
    const [info] = await page.evaluate((d) => globalThis.cacheTest.list(d), options().database);
    expect(info.complete).toBe(false);
    expect(info.bytes).toBeLessThanOrEqual(1_000_000 + indexBytes);
    expect(info.files.filter((f) => !f.complete).map((f) => f.name)).toContain(WEIGHTS);

    await open(); // reload: with room again it resumes, and what was stored before the error was sound
    const after = await load();
    expect(after.error).toBeUndefined();
    expect(after.hashes).toEqual(repo.sha256);
    expect(after.bytesDownloaded).toBeLessThan(repo.modelBytes - 900_000);
  });

  it.skipIf(!existsSync(join(PUBLIC, 'models/tiny-target/model.safetensors')))(
    'caches the fixture tiny-target with the default 16 MiB chunks, byte-identical, and reloads it offline',
    async () => {
      const pub = await startTestServer({ hubRoot: PUBLIC, gzipJson: true });
      try {
        const o = { database: options().database, hubBase: pub.url };
        const first = await page.evaluate((opt) => globalThis.cacheTest.load('hf:models/tiny-target', opt), o);
        expect(first.error).toBeUndefined();
        for (const [name, hash] of Object.entries(first.hashes!)) {
          expect(hash, name).toBe(createHash('sha256').update(await readFile(join(PUBLIC, 'models/tiny-target', name))).digest('hex'));
        }
        expect(Object.keys(first.hashes!)).toContain('model.safetensors');
        await open();
        pub.resetStats();
        const again = await page.evaluate((opt) => globalThis.cacheTest.load('hf:models/tiny-target', opt), o);
        expect(again.hashes).toEqual(first.hashes);
        expect(pub.stats.requests).toBe(0);
      } finally {
        await pub.close();
      }
    },
  );

  it('lists, deletes and clears cached models', async () => {
    await load();
    const database = options().database;
    const list = await page.evaluate((d) => globalThis.cacheTest.list(d), database);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: id(), complete: true, bytes: repo.modelBytes });
    expect((await page.evaluate((d) => globalThis.cacheTest.usage(d), database)).bytes).toBe(repo.modelBytes);
    expect(await page.evaluate(([d, s]) => globalThis.cacheTest.deleteModel(d, s), [database, source()] as const)).toBe(true);
    expect(await page.evaluate((d) => globalThis.cacheTest.list(d), database)).toEqual([]);
    await load();
    await page.evaluate((d) => globalThis.cacheTest.clear(d), database);
    expect(await page.evaluate((d) => globalThis.cacheTest.usage(d), database)).toMatchObject({ bytes: 0, models: 0 });
  });
});

