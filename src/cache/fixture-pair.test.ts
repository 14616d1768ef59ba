// The embedded fixture pair (public/models), served under Hub paths (`hf:models/tiny-target`), through
// the cache with its default 16 MiB chunks: every file byte-identical, and a second load with no network.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFiles, offlineFetch } from '../../test/server/harness';
import { startTestServer, type TestServer } from '../../test/server/index';
import { directoryBackend } from '../node/cache-dir';
import { createModelCache, type ModelCache } from './index';

const PUBLIC = join(process.cwd(), 'public');
const present = existsSync(join(PUBLIC, 'models/tiny-target/model.safetensors'));

describe.skipIf(!present)('fixture pair through the cache', () => {
  let server: TestServer;
  let tmp: string;
  let cache: ModelCache;
  beforeAll(async () => {
    server = await startTestServer({ hubRoot: PUBLIC, sha256: 'x-linked-etag', lfsRedirect: true });
    tmp = await mkdtemp(join(tmpdir(), 'foresight-pair-'));
    cache = createModelCache({ backend: directoryBackend(tmp), defaults: { hubBase: server.url } });
  });
  afterAll(async () => {
    await server?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const onDisk = async (name: string) => createHash('sha256').update(await readFile(join(PUBLIC, 'models', name))).digest('hex');

  it('loads tiny-target (safetensors folder) and a tiny-draft GGUF byte for byte, then again offline', async () => {
    const target = await cache.load('hf:models/tiny-target');
    expect(target.format).toBe('safetensors');
    const hashes = await hashFiles(target);
    const folder = new Set(await readdir(join(PUBLIC, 'models/tiny-target')));
    for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']) {
      expect(folder.has(name), name).toBe(true);
      expect(hashes[name], name).toBe(await onDisk(`tiny-target/${name}`));
    }
    const gguf = (await readdir(join(PUBLIC, 'models/tiny-draft'))).find((f) => f.endsWith('.gguf'))!;
    const draft = await cache.load(`hf:models/tiny-draft/${gguf}`);
    expect(draft.format).toBe('gguf');
    expect(await hashFiles(draft)).toEqual({ [gguf]: await onDisk(`tiny-draft/${gguf}`) });

    server.resetStats();
    const again = await cache.load('hf:models/tiny-target', { fetch: offlineFetch() });
    expect(await hashFiles(again)).toEqual(hashes);
    expect(server.stats.requests).toBe(0);
  });
});
