import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeHubRepo, type GeneratedRepo } from './fixtures';
import { startTestServer, type TestServer } from './index';

let dir: string;
let repo: GeneratedRepo;
let server: TestServer;
const model = () => `${server.url}/test-org/tiny-model/resolve/main/model.safetensors`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fs-server-'));
  repo = await writeHubRepo(dir, { shards: [200_000] });
  server = await startTestServer({ hubRoot: dir, files: { '/hello.txt': 'hi' } });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.hooks.reset();
  server.resetStats();
});

describe('test server', () => {
  it('serves Hub resolve paths with the sha256 as ETag, and in-memory files', async () => {
    const res = await fetch(model());
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"${repo.sha256['model.safetensors']}"`);
    expect((await res.arrayBuffer()).byteLength).toBe(Number(res.headers.get('content-length')));
    expect(await (await fetch(`${server.url}/hello.txt`)).text()).toBe('hi');
    expect((await fetch(`${server.url}/test-org/tiny-model/resolve/main/nope.json`)).status).toBe(404);
    expect(server.stats.requests).toBe(3);
  });

  it('answers Range requests with 206 and Content-Range, honours If-Range, and refuses ranges past the end', async () => {
    const whole = new Uint8Array(await (await fetch(model())).arrayBuffer());
    const r = await fetch(model(), { headers: { Range: 'bytes=1000-1999' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes 1000-1999/${whole.length}`);
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(whole.subarray(1000, 2000));
    const stale = await fetch(model(), { headers: { Range: 'bytes=1000-', 'If-Range': '"other"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
    const past = await fetch(model(), { headers: { Range: `bytes=${whole.length}-` } });
    expect(past.status).toBe(416);
    expect(server.stats.ranges).toBe(1);
  });

  it('cuts a response off after N bytes, then serves normally', async () => {
    server.hooks.cutAfter('model.safetensors', 70_000);
    const res = await fetch(model());
    await expect(res.arrayBuffer()).rejects.toThrow();
    expect(server.stats.bytesSent).toBe(70_000);
    expect((await (await fetch(model())).arrayBuffer()).byteLength).toBeGreaterThan(70_000);
  });

  it('fails, blocks and corrupts on request', async () => {
    server.hooks.fail('config.json', 503, 1);
    expect((await fetch(`${server.url}/test-org/tiny-model/resolve/main/config.json`)).status).toBe(503);
    expect((await fetch(`${server.url}/test-org/tiny-model/resolve/main/config.json`)).status).toBe(200);

    const release = server.hooks.block('tokenizer.json');
    let done = false;
    const pending = fetch(`${server.url}/test-org/tiny-model/resolve/main/tokenizer.json`).then((r) => ((done = true), r));
    await new Promise((ok) => setTimeout(ok, 100));
    expect(done).toBe(false);
    release();
    expect((await pending).status).toBe(200);

    const clean = new Uint8Array(await (await fetch(model())).arrayBuffer());
    server.hooks.corrupt('model.safetensors', 5000);
    const bad = new Uint8Array(await (await fetch(model())).arrayBuffer());
    expect(bad[5000]).toBe(clean[5000] ^ 0xff);
    bad[5000] ^= 0xff;
    expect(bad).toEqual(clean);
  });

  it('redirects weight files Hub-style with X-Linked-Size and X-Linked-Etag', async () => {
    const hub = await startTestServer({ hubRoot: dir, lfsRedirect: true, sha256: 'x-linked-etag' });
    try {
      const url = `${hub.url}/test-org/tiny-model/resolve/main/model.safetensors`;
      const raw = await fetch(url, { redirect: 'manual' });
      expect(raw.status).toBe(302);
      expect(raw.headers.get('x-linked-etag')).toBe(`"${repo.sha256['model.safetensors']}"`);
      const followed = await fetch(url);
      expect(followed.url).toContain('/cdn/');
      expect(followed.headers.get('x-linked-etag')).toBe(`"${repo.sha256['model.safetensors']}"`);
      const cfg = await fetch(`${hub.url}/test-org/tiny-model/resolve/main/config.json`);
      expect(cfg.headers.get('etag')).toMatch(/^"[0-9a-f]{40}"$/);
    } finally {
      await hub.close();
    }
  });
});
