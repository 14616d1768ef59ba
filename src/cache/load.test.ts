// The loader end to end in Node: a real HTTP server, the directory backend. Resume, integrity and
// quota are in resume.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortError, InvalidArgumentError, LoadError } from '../errors';
import { hashFiles, offlineFetch, startHarness, type Harness } from '../../test/server/harness';
import type { LoadProgress } from './progress';

let h: Harness;
const SHARDS = [700_000, 500_000, 300_000, 200_000];

beforeAll(async () => {
  h = await startHarness({ shards: SHARDS, gguf: 150_000 });
});
afterAll(() => h.close());
beforeEach(() => {
  h.server.hooks.reset();
  h.server.resetStats();
});

describe('loading a Hub repo through the cache', () => {
  it('downloads every file with monotonic progress reaching 100%, then loads it again with no network', async () => {
    const { cache } = h.cache();
    const events: LoadProgress[] = [];
    const first = await cache.load(h.source, { onProgress: (p) => events.push(p) });

    const { 'model-q8_0.gguf': _gguf, ...expected } = h.repo.sha256;
    expect(await hashFiles(first)).toEqual(expected); // special_tokens_map.json (optional) is absent
    expect(first.format).toBe('safetensors');
    expect(first.weights.map((w) => w.name)).toEqual(SHARDS.map((_, i) => `model-0000${i + 1}-of-00004.safetensors`));
    expect(first.bytesDownloaded).toBe(h.repo.modelBytes);
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(JSON.parse((await first.text('config.json'))!).hidden_size).toBe(64);

    expect(events.length).toBeGreaterThan(4);
    const perFile = new Map<string, number>();
    let overall = 0;
    for (const e of events) {
      expect(e.bytesDone).toBeGreaterThanOrEqual(perFile.get(e.file) ?? 0);
      expect(e.overall.bytesDone).toBeGreaterThanOrEqual(overall);
      expect(e.overall.bytesDone).toBeLessThanOrEqual(e.overall.bytesTotal);
      expect(e.rate).toBeGreaterThanOrEqual(0);
      perFile.set(e.file, e.bytesDone);
      overall = e.overall.bytesDone;
    }
    const last = events[events.length - 1];
    expect(last.overall.bytesTotal).toBe(h.repo.modelBytes);
    expect(last.overall.bytesDone).toBe(h.repo.modelBytes);

    h.server.resetStats();
    const offline = offlineFetch();
    const second = await cache.load(h.source, { fetch: offline });
    expect(offline.calls).toBe(0);
    expect(h.server.stats.requests).toBe(0);
    expect(second.bytesDownloaded).toBe(0);
    expect(await hashFiles(second)).toEqual(expected);
  });

  it('loads one GGUF file of a repo, a folder URL and a file URL', async () => {
    const { cache } = h.cache();
    const gguf = await cache.load(`${h.source}/model-q8_0.gguf`);
    expect(gguf.format).toBe('gguf');
    expect([...gguf.files.keys()]).toEqual(['model-q8_0.gguf']);
    expect(await hashFiles(gguf)).toEqual({ 'model-q8_0.gguf': h.repo.sha256['model-q8_0.gguf'] });

    const base = `${h.server.url}/${h.repo.owner}/${h.repo.repo}/resolve/main/`;
    const folder = await cache.load(base);
    expect(folder.weights).toHaveLength(SHARDS.length);
    const file = await cache.load(`${base}model-00002-of-00004.safetensors`);
    expect(await hashFiles(file)).toEqual({ 'model-00002-of-00004.safetensors': h.repo.sha256['model-00002-of-00004.safetensors'] });
    expect((await cache.listModels()).map((m) => m.id).sort()).toEqual([base, `${base}model-00002-of-00004.safetensors`, 'hf:test-org/tiny-model@main/model-q8_0.gguf'].sort());
  });

  it('downloads at most `concurrency` files at once', async () => {
    const { cache } = h.cache();
    const release = h.server.hooks.block((path, method) => method === 'GET' && path.endsWith('.safetensors'));
    const loading = cache.load(h.source, { concurrency: 2 });
    const started = () => h.server.log.filter((r) => r.method === 'GET' && r.path.endsWith('.safetensors'));
    // Wait (without a fixed sleep: the machine may be loaded) until two downloads are in flight, then
    // give a third time to start if the limit were broken.
    await vi.waitFor(() => expect(started()).toHaveLength(2), { timeout: 20_000, interval: 20 });
    await new Promise((ok) => setTimeout(ok, 300));
    expect(started()).toHaveLength(2);
    release();
    await loading;
    expect(h.server.log.filter((r) => r.method === 'GET' && r.path.endsWith('.safetensors'))).toHaveLength(4);
  });

  it('names the URL and status when a required file is missing, and tolerates missing optional files', async () => {
    const { cache } = h.cache();
    h.server.hooks.fail('tokenizer_config.json', 404);
    const err = await cache.load(h.source).catch((e) => e);
    expect(err).toBeInstanceOf(LoadError);
    expect(err.code).toBe('download');
    expect(err.message).toContain(`${h.server.url}/test-org/tiny-model/resolve/main/tokenizer_config.json`);
    expect(err.message).toContain('404');
    h.server.hooks.reset();
    h.server.hooks.fail('generation_config.json', 404);
    const model = await cache.load(h.source);
    expect(model.files.has('generation_config.json')).toBe(false);
  });

  it('reads Files in place, without caching them', async () => {
    const { cache } = h.cache();
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) & 255);
    const one = await cache.load(new File([bytes], 'picked.gguf'));
    expect(one.format).toBe('gguf');
    expect(one.weights.map((w) => w.name)).toEqual(['picked.gguf']);
    expect(await one.weights[0].read(70_000, 5)).toEqual(bytes.subarray(70_000, 70_005));
    await expect(one.weights[0].read(299_999, 2)).rejects.toThrow(/past the end/);
    const folder = await cache.load([new File(['{"a":1}'], 'config.json'), new File([bytes], 'model.safetensors')]);
    expect(folder.format).toBe('safetensors');
    expect(await folder.text('config.json')).toBe('{"a":1}');
    expect(await cache.listModels()).toEqual([]);
  });

  it('rejects sources it cannot read with InvalidArgumentError', async () => {
    const { cache } = h.cache();
    for (const bad of ['hf:onlyowner', 'ftp://x/model.gguf', 'https://x/model.bin', 'not a url']) {
      await expect(cache.load(bad)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
  });

  it('stops on abort with AbortError, leaving the model incomplete', async () => {
    const { cache } = h.cache();
    const release = h.server.hooks.block((path, method) => method === 'GET' && path.endsWith('.safetensors'));
    const controller = new AbortController();
    const loading = cache.load(h.source, { signal: controller.signal });
    const requested = (method: string, suffix: string) => h.server.log.some((r) => r.method === method && r.path.endsWith(suffix));
    await vi.waitFor(() => expect(requested('GET', '.safetensors')).toBe(true), { timeout: 20_000, interval: 20 });
    controller.abort();
    await expect(loading).rejects.toBeInstanceOf(AbortError);
    release();
    const [info] = await cache.listModels();
    expect(info.complete).toBe(false);

    // Also while the file list is still being discovered (HEAD requests).
    const { cache: other } = h.cache();
    const releaseHeads = h.server.hooks.block((_, method) => method === 'HEAD');
    const early = new AbortController();
    const heads = h.server.log.filter((r) => r.method === 'HEAD').length;
    const discovering = other.load(h.source, { signal: early.signal });
    await vi.waitFor(() => expect(h.server.log.filter((r) => r.method === 'HEAD').length).toBeGreaterThan(heads), { timeout: 20_000, interval: 20 });
    early.abort();
    await expect(discovering).rejects.toBeInstanceOf(AbortError);
    releaseHeads();
  });

  it('lists, measures, deletes and clears cached models', async () => {
    const { cache } = h.cache();
    await cache.load(h.source);
    await cache.load(`${h.source}/model-q8_0.gguf`);
    const list = await cache.listModels();
    expect(list.map((m) => m.id).sort()).toEqual(['hf:test-org/tiny-model@main', 'hf:test-org/tiny-model@main/model-q8_0.gguf']);
    const repo = list.find((m) => m.id === 'hf:test-org/tiny-model@main')!;
    expect(repo).toMatchObject({ complete: true, bytes: h.repo.modelBytes, totalBytes: h.repo.modelBytes });
    const usage = await cache.usage();
    expect(usage.bytes).toBe(h.repo.modelBytes + 150_000);
    expect(usage.models).toBe(2);
    expect(usage.estimate?.quota).toBeGreaterThan(0);

    expect(await cache.deleteModel(h.source)).toBe(true); // by source: resolves to the @main id
    expect(await cache.deleteModel(h.source)).toBe(false);
    expect((await cache.listModels()).map((m) => m.id)).toEqual(['hf:test-org/tiny-model@main/model-q8_0.gguf']);
    await cache.clear();
    expect(await cache.listModels()).toEqual([]);
    expect((await cache.usage()).bytes).toBe(0);
  });

  it('takes the size of a compressed JSON file from its body, not its Content-Length', async () => {
    const gz = await startHarness({ shards: [100_000, 100_000] }, { gzipJson: true });
    try {
      const { cache } = gz.cache();
      expect(await hashFiles(await cache.load(gz.source))).toEqual(gz.repo.sha256);
      expect(gz.server.log.some((r) => r.path.endsWith('config.json') && r.method === 'GET')).toBe(true);
    } finally {
      await gz.close();
    }
  });

  it('reads Hub-style redirects with X-Linked-Etag as the sha256', async () => {
    const hub = await startHarness({ shards: [300_000] }, { lfsRedirect: true, sha256: 'x-linked-etag' });
    try {
      const { cache } = hub.cache();
      const model = await cache.load(hub.source);
      expect(await hashFiles(model)).toEqual(hub.repo.sha256);
      expect(hub.server.log.some((r) => r.path.startsWith('/cdn/') && r.method === 'GET')).toBe(true);
    } finally {
      await hub.close();
    }
  });
});
