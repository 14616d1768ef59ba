/**
 * The model cache in a directory, for Node (CLI, Node API): the same manifests, chunks, resume and
 * integrity code as the browser's IndexedDB cache, over a filesystem CacheBackend.
 *
 * Directory: `options.dir`, else $FORESIGHT_CACHE_DIR, else $XDG_CACHE_HOME/foresight, else ~/.cache/foresight.
 * Everything is written under `<dir>/v1/` (the schema version), so `clear()` removes only that.
 * Writes go to a temporary file that is then renamed, so a crash never leaves a half-written entry.
 */
import { mkdir, readFile, readdir, rename, rm, statfs, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { CacheBackend } from '../cache/backend';
import { createModelCache, type ModelCache, type ModelCacheOptions } from '../cache/index';
import { InvalidArgumentError } from '../errors';

export interface DirectoryCacheOptions extends Omit<ModelCacheOptions, 'backend'> {
  /** Cache directory; see the module comment for the default. */
  dir?: string;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FORESIGHT_CACHE_DIR) return env.FORESIGHT_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'foresight');
  return join(homedir(), '.cache', 'foresight');
}

/** The Node model cache: `load`, `listModels`, `deleteModel`, `clear`, `usage`, as in the browser. */
export function openDirectoryCache(options: DirectoryCacheOptions = {}): ModelCache {
  const { dir, ...rest } = options;
  return createModelCache({ ...rest, backend: directoryBackend(dir ?? defaultCacheDir()) });
}

const SAFE_KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
let tmpCounter = 0;

export function directoryBackend(dir: string): CacheBackend {
  const root = join(dir, 'v1');
  const pathOf = (key: string): string => {
    if (!SAFE_KEY.test(key) || key.split('/').some((s) => s === '.' || s === '..')) {
      throw new InvalidArgumentError(`cache key "${key}" is not a safe relative path`);
    }
    return join(root, ...key.split('/'));
  };

  return {
    location: root,

    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },

    async set(entries) {
      for (const [key, bytes] of entries) {
        const path = pathOf(key);
        await mkdir(dirname(path), { recursive: true });
        const tmp = `${path}.${process.pid}.${tmpCounter++}.tmp`;
        try {
          await writeFile(tmp, bytes);
          await rename(tmp, path);
        } catch (err) {
          await rm(tmp, { force: true });
          throw err;
        }
      }
    },

    async delete(keys) {
      for (const key of keys) await unlink(pathOf(key)).catch(ignoreMissing);
    },

    async keys(prefix) {
      const out: string[] = [];
      await walk(root, out);
      return out
        .map((p) => relative(root, p).split(sep).join('/'))
        .filter((k) => k.startsWith(prefix) && !k.endsWith('.tmp'))
        .sort();
    },

    async clear() {
      await rm(root, { recursive: true, force: true });
    },

    async estimate() {
      await mkdir(root, { recursive: true });
      const s = await statfs(root);
      return { usage: 0, quota: s.bavail * s.bsize };
    },

    async persist() {
      return true; // files stay until deleted
    },
  };
}

async function walk(dir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
