/**
 * Model sources: what a caller names, and the files that make up the model.
 *
 *   hf:owner/repo[@revision]                 a Hub repo: config, tokenizer, then model.safetensors or its shards
 *   hf:owner/repo[@revision]/sub/dir         the same, in a folder of the repo
 *   hf:owner/repo[@revision]/file.gguf       one file of a repo (.gguf or .safetensors)
 *   https://host/path/                       a folder laid out like a Hub repo (trailing slash)
 *   https://host/path/model.gguf             one file (.gguf or .safetensors)
 *   a File / Blob, or an array of Files      the user's own files; read in place, not cached
 *
 * Hub files are fetched from `${hubBase}/${owner}/${repo}/resolve/${revision}/${path}`.
 */
import { InvalidArgumentError, ModelFormatError } from '../errors';

export const DEFAULT_HUB_BASE = 'https://huggingface.co';
export const DEFAULT_REVISION = 'main';

export type ModelSourceSpec = string | Blob | readonly Blob[];

export type ResolvedSource =
  /** A folder whose weight files are found by discovery (index or single file). */
  | { kind: 'folder'; id: string; revision?: string; baseUrl: string }
  /** One weight file at a URL. */
  | { kind: 'file'; id: string; revision?: string; name: string; url: string }
  /** Files the caller holds. */
  | { kind: 'blobs'; id: string; blobs: Array<{ name: string; blob: Blob }> };

/** Files a Hub-style folder holds besides its weights. */
export const FOLDER_FILES: ReadonlyArray<{ name: string; optional: boolean }> = [
  { name: 'config.json', optional: false },
  { name: 'generation_config.json', optional: true },
  { name: 'tokenizer.json', optional: false },
  { name: 'tokenizer_config.json', optional: false },
  { name: 'special_tokens_map.json', optional: true },
];
export const SAFETENSORS_INDEX = 'model.safetensors.index.json';
export const SAFETENSORS_SINGLE = 'model.safetensors';

const WEIGHT_FILE = /\.(gguf|safetensors)$/i;
const HF = /^hf:([A-Za-z0-9][A-Za-z0-9._-]*)\/([A-Za-z0-9._-]+)(?:@([^/]+))?(?:\/(.*))?$/;

export function resolveSource(spec: ModelSourceSpec, hubBase = DEFAULT_HUB_BASE): ResolvedSource {
  if (typeof spec !== 'string') return resolveBlobs(spec);
  if (spec.startsWith('hf:')) return resolveHub(spec, hubBase);
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new InvalidArgumentError(`model source "${spec}" is not hf:owner/repo[@revision][/file], an http(s) URL, or a File`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidArgumentError(`model source "${spec}": only http(s) URLs can be downloaded`);
  }
  url.hash = '';
  if (url.pathname.endsWith('/')) return { kind: 'folder', id: url.href, baseUrl: url.href };
  const name = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
  if (!WEIGHT_FILE.test(name)) {
    throw new InvalidArgumentError(
      `model source "${spec}": a URL must name a .gguf or .safetensors file, or a folder ending in "/"`,
    );
  }
  return { kind: 'file', id: url.href, name, url: url.href };
}

function resolveHub(spec: string, hubBase: string): ResolvedSource {
  const m = HF.exec(spec);
  if (!m) throw new InvalidArgumentError(`model source "${spec}" is not hf:owner/repo[@revision][/path]`);
  const [, owner, repo, rev, rawPath] = m;
  const revision = rev ?? DEFAULT_REVISION;
  const path = (rawPath ?? '').replace(/\/+$/, '');
  if (path.split('/').some((s) => s === '..' || s === '.')) {
    throw new InvalidArgumentError(`model source "${spec}": the path may not contain "." or ".." segments`);
  }
  const base = `${hubBase.replace(/\/+$/, '')}/${owner}/${repo}/resolve/${encodeURIComponent(revision)}/`;
  const id = `hf:${owner}/${repo}@${revision}${path ? `/${path}` : ''}`;
  if (path && WEIGHT_FILE.test(path)) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    return { kind: 'file', id, revision, name, url: base + encodePath(path) };
  }
  return { kind: 'folder', id, revision, baseUrl: path ? `${base}${encodePath(path)}/` : base };
}

function resolveBlobs(spec: Blob | readonly Blob[]): ResolvedSource {
  const list = Array.isArray(spec) ? (spec as readonly Blob[]) : [spec as Blob];
  if (list.length === 0) throw new InvalidArgumentError('model source: an empty list of files');
  const blobs = list.map((blob, i) => ({ name: fileName(blob) ?? (list.length === 1 ? 'model' : `file-${i}`), blob }));
  const id = `blob:${blobs.map((b) => `${b.name}:${b.blob.size}`).join(',')}`;
  return { kind: 'blobs', id, blobs };
}

function fileName(blob: Blob): string | undefined {
  const name = (blob as Partial<File>).name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** URL of a file in a folder source. */
export function folderFileUrl(baseUrl: string, name: string): string {
  return baseUrl + encodePath(name);
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * The shard files named by a `model.safetensors.index.json` (its `weight_map` values), in name order.
 * Throws ModelFormatError naming the file when the index is malformed or names a path outside the folder.
 */
export function shardsFromIndex(text: string, where: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelFormatError('model-format', `${where}: not valid JSON (${(err as Error).message})`);
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new ModelFormatError('model-format', `${where}: no "weight_map" object`);
  }
  const shards = new Set<string>();
  for (const [tensor, file] of Object.entries(map)) {
    if (typeof file !== 'string' || !WEIGHT_FILE.test(file) || file.startsWith('/') || file.split('/').includes('..')) {
      throw new ModelFormatError('model-format', `${where}: weight_map["${tensor}"] is not a safetensors file in the folder`);
    }
    shards.add(file);
  }
  if (shards.size === 0) throw new ModelFormatError('model-format', `${where}: "weight_map" is empty`);
  return [...shards].sort();
}
