/**
 * Node harness for loader tests: a generated Hub repo served by the test server, and a model cache over a
 * fresh directory (the same code paths as IndexedDB, through the directory backend).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CacheBackend } from '../../src/cache/backend';
import { createModelCache, type ModelCache } from '../../src/cache/index';
import type { LoadedModel } from '../../src/cache/load';
import type { ByteSource } from '../../src/model/byte-source';
import { directoryBackend } from '../../src/node/cache-dir';
import { writeHubRepo, type GeneratedRepo, type RepoSpec } from './fixtures';
import { startTestServer, type TestServer, type TestServerOptions } from './index';

export interface Harness {
  tmp: string;
  repo: GeneratedRepo;
  server: TestServer;
  /** `hf:owner/repo` of the generated repo. */
  source: string;
  /** A cache over `tmp/cache-N` (a new, empty one per call unless `dir` is given). */
  cache(options?: { dir?: string; wrap?: (b: CacheBackend) => CacheBackend }): { cache: ModelCache; dir: string; backend: CacheBackend };
  close(): Promise<void>;
}

export async function startHarness(spec: RepoSpec, serverOptions: TestServerOptions = {}): Promise<Harness> {
  const tmp = await mkdtemp(join(tmpdir(), 'foresight-cache-'));
  const repo = await writeHubRepo(join(tmp, 'hub'), spec);
  const server = await startTestServer({ hubRoot: join(tmp, 'hub'), ...serverOptions });
  let n = 0;
  return {
    tmp,
    repo,
    server,
    source: `hf:${repo.owner}/${repo.repo}`,
    cache(options = {}) {
      const dir = options.dir ?? join(tmp, `cache-${n++}`);
      const plain = directoryBackend(dir);
      const backend = options.wrap ? options.wrap(plain) : plain;
      return { cache: createModelCache({ backend, defaults: { hubBase: server.url, chunkSize: 64 * 1024, retryDelayMs: 5 } }), dir, backend };
    },
    async close() {
      await server.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** sha256 of every file of a loaded model, read through its ByteSource in pieces that straddle chunks. */
export async function hashFiles(model: LoadedModel): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, source] of model.files) out[name] = await hashSource(source);
  return out;
}

export async function hashSource(source: ByteSource, piece = 100_003): Promise<string> {
  const h = createHash('sha256');
  for (let at = 0; at < source.size; at += piece) h.update(await source.read(at, Math.min(piece, source.size - at)));
  return h.digest('hex');
}

/** A fetch that fails every call, as with the network off, and counts the calls. */
export function offlineFetch(): typeof fetch & { calls: number } {
  const f = (async () => {
    f.calls++;
    throw new TypeError('network is off (test)');
  }) as unknown as typeof fetch & { calls: number };
  f.calls = 0;
  return f;
}
