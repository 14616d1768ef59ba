/**
 * The same API in Node, minus the worker: an Engine in-process whose models come from local paths
 * (a Hugging Face folder or a `.gguf` file, read in place) or, for `hf:` names and URLs, through the
 * directory cache (~/.cache/foresight by default; see src/node/cache-dir.ts).
 *
 *   import { createNodeEngine } from 'foresight/node';   // (entry wired by the integrator)
 *   const engine = createNodeEngine();
 *   await engine.load({ target: './public/models/tiny-target/' });
 *   for await (const chunk of engine.generate({ prompt: 'It was', maxNewTokens: 32 })) process.stdout.write(chunk.text);
 *
 * Node only (imports node:fs).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InvalidArgumentError } from '../errors';
import type { ByteSource } from '../model/byte-source';
import { fileSource } from '../model/load-node';
import { openDirectoryCache } from '../node/cache-dir';
import { createNodeGpuContext } from '../gpu/node-gpu';
import { deviceModelBuilder } from './model-builders';
import { Engine } from './engine';
import { fromCache, modelPairLoader, type ModelBuilder, type ModelFiles, type OpenModelFiles } from './load-pair';

export interface NodeEngineOptions {
  /** Cache directory for downloads. Default: $FORESIGHT_CACHE_DIR, $XDG_CACHE_HOME/foresight or ~/.cache/foresight. */
  cacheDir?: string;
  /** Default: WebGPU through Dawn (npm `webgpu`, needs a Vulkan driver) for device 'webgpu', the CPU reference for 'cpu'. */
  buildModel?: ModelBuilder;
}

export function createNodeEngine(options: NodeEngineOptions = {}): Engine {
  const cached = fromCache(openDirectoryCache({ dir: options.cacheDir }));
  const openFiles: OpenModelFiles = (source, context) =>
    typeof source === 'string' && isLocalPath(source) ? localFiles(source) : cached(source, context);
  return new Engine(modelPairLoader({ openFiles, buildModel: options.buildModel ?? deviceModelBuilder(() => createNodeGpuContext()) }));
}

function isLocalPath(source: string): boolean {
  return !/^(hf:|https?:)/i.test(source);
}

/** A local folder (every file in it) or a single `.gguf` file, read in place, not copied to the cache. */
export async function localFiles(path: string): Promise<ModelFiles> {
  const full = resolve(path);
  const info = await stat(full).catch(() => undefined);
  if (!info) throw new InvalidArgumentError(`model path ${path}: no such file or folder`);
  const sources: ByteSource[] = info.isFile()
    ? [await fileSource(full)]
    : await Promise.all(
        (await readdir(full, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => fileSource(join(full, e.name), e.name)),
      );
  const files = new Map(sources.map((s) => [s.name, s]));
  const gguf = sources.filter((s) => /\.gguf$/i.test(s.name));
  if (!info.isFile() && gguf.length > 0 && files.has('model.safetensors')) gguf.length = 0; // a folder: prefer the HF files
  const safetensors = sources.filter((s) => /\.safetensors$/i.test(s.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (info.isFile() && gguf.length === 0) {
    throw new InvalidArgumentError(`model path ${path}: a single file must be a .gguf; give the folder of a safetensors model`);
  }
  return {
    id: info.isFile() ? basename(full) : full,
    format: gguf.length > 0 ? 'gguf' : 'safetensors',
    files,
    weights: gguf.length > 0 ? gguf.slice(0, 1) : safetensors,
    bytesDownloaded: 0,
    repairs: { chunks: 0 },
    async text(name) {
      const s = files.get(name);
      return s && new TextDecoder().decode(await s.read(0, s.size));
    },
  };
}
