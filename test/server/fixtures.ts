/**
 * Generated model folders for loader tests, until tests use the real fixture pair: Hub-style repos whose
 * weight files are valid safetensors (a header naming one f32 tensor, then seeded random bytes).
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Seeded random bytes (xorshift32), the same for the same seed. */
export function randomBytes(length: number, seed: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(length / 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return new Uint8Array(words.buffer, 0, length);
}

/** A safetensors file of about `size` bytes: one F32 tensor `name` of random values. */
export function safetensorsFile(size: number, seed: number, name = 'weight'): Uint8Array {
  const floats = Math.max(1, Math.floor((size - 128) / 4));
  let header = JSON.stringify({ __metadata__: { format: 'pt' }, [name]: { dtype: 'F32', shape: [floats], data_offsets: [0, floats * 4] } });
  header = header.padEnd(Math.ceil(header.length / 8) * 8, ' ');
  const out = new Uint8Array(8 + header.length + floats * 4);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(new TextEncoder().encode(header), 8);
  out.set(randomBytes(floats * 4, seed), 8 + header.length);
  return out;
}

export interface RepoSpec {
  owner?: string;
  repo?: string;
  /** Sizes of the safetensors shards; one entry makes a single `model.safetensors`. */
  shards: number[];
  seed?: number;
  /** Also write a `.gguf`-named file of this size (random bytes after a GGUF magic). */
  gguf?: number;
}

export interface GeneratedRepo {
  dir: string;
  owner: string;
  repo: string;
  /** File name -> sha256 hex, for every file written. */
  sha256: Record<string, string>;
  /** Bytes of every file written, the gguf excluded. */
  modelBytes: number;
}

/** Writes `{hubRoot}/{owner}/{repo}/` with config, tokenizer files and weights. */
export async function writeHubRepo(hubRoot: string, spec: RepoSpec): Promise<GeneratedRepo> {
  const owner = spec.owner ?? 'test-org';
  const repo = spec.repo ?? 'tiny-model';
  const dir = join(hubRoot, owner, repo);
  await mkdir(dir, { recursive: true });
  const seed = spec.seed ?? 1;
  const files: Record<string, Uint8Array> = {
    'config.json': json({ architectures: ['LlamaForCausalLM'], hidden_size: 64, vocab_size: 256 }),
    'generation_config.json': json({ bos_token_id: 1, eos_token_id: 2 }),
    'tokenizer.json': json({ version: '1.0', model: { type: 'BPE', vocab: { a: 0 }, merges: [] } }),
    'tokenizer_config.json': json({ bos_token: '<s>', eos_token: '</s>' }),
  };
  if (spec.shards.length === 1) {
    files['model.safetensors'] = safetensorsFile(spec.shards[0], seed);
  } else {
    const weightMap: Record<string, string> = {};
    spec.shards.forEach((size, i) => {
      const name = `model-${String(i + 1).padStart(5, '0')}-of-${String(spec.shards.length).padStart(5, '0')}.safetensors`;
      files[name] = safetensorsFile(size, seed + i, `layer${i}.weight`);
      weightMap[`layer${i}.weight`] = name;
    });
    files['model.safetensors.index.json'] = json({ metadata: { total_size: 0 }, weight_map: weightMap });
  }
  let modelBytes = 0;
  for (const bytes of Object.values(files)) modelBytes += bytes.byteLength;
  if (spec.gguf) {
    const g = randomBytes(spec.gguf, seed + 100).slice();
    g.set(new TextEncoder().encode('GGUF'), 0);
    files['model-q8_0.gguf'] = g;
  }
  const sha256: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(files)) {
    await writeFile(join(dir, name), bytes);
    sha256[name] = createHash('sha256').update(bytes).digest('hex');
  }
  return { dir, owner, repo, sha256, modelBytes };
}

function json(x: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(x, null, 2));
}
