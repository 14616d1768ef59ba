/**
 * Hugging Face `config.json` (+ optional `generation_config.json`) -> ModelConfig, for the model types
 * `llama` (Llama 2/3, SmolLM, TinyLlama), `qwen2` and `qwen3`.
 *
 * Defaults follow transformers' LlamaConfig / Qwen2Config / Qwen3Config. Options that would change the
 * computation in ways we do not implement (o_proj or MLP bias, sliding windows, other RoPE scalings, other
 * activations) are rejected with a typed error naming the field, rather than silently ignored.
 */
import { ModelFormatError } from '../errors';
import type { Architecture, ModelConfig, RopeScalingLlama3 } from './config';

type Json = Record<string, unknown>;

const ARCHITECTURES: Record<string, Architecture> = { llama: 'llama', qwen2: 'qwen2', qwen3: 'qwen3' };

export function parseJsonFile(file: string, text: string): Json {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError('model-format', `${file}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelFormatError('model-format', `${file}: expected a JSON object`);
  }
  return json as Json;
}

class Fields {
  constructor(
    readonly file: string,
    readonly json: Json,
  ) {}

  private bad(key: string, want: string): ModelFormatError {
    return new ModelFormatError('config-mismatch', `${this.file}: ${key} must be ${want}, got ${JSON.stringify(this.json[key])}`);
  }

  int(key: string, fallback?: number): number {
    const v = this.json[key] ?? fallback;
    if (v === undefined) throw new ModelFormatError('config-mismatch', `${this.file}: ${key} is missing`);
    if (!Number.isSafeInteger(v) || (v as number) <= 0) throw this.bad(key, 'a positive integer');
    return v as number;
  }

  num(key: string, fallback: number): number {
    const v = this.json[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.bad(key, 'a number');
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.json[key] ?? fallback;
    if (typeof v !== 'boolean') throw this.bad(key, 'true or false');
    return v;
  }

  /** `eos_token_id` may be one id or a list. */
  ids(key: string): number[] | undefined {
    const v = this.json[key];
    if (v === undefined || v === null) return undefined;
    const list = Array.isArray(v) ? v : [v];
    if (!list.every((x) => Number.isSafeInteger(x) && x >= 0)) throw this.bad(key, 'a token id or a list of token ids');
    return list as number[];
  }
}

function unsupported(file: string, what: string): ModelFormatError {
  return new ModelFormatError('unsupported-architecture', `${file}: ${what} is not supported`);
}

function parseRopeScaling(file: string, raw: unknown, key: string): RopeScalingLlama3 | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') throw new ModelFormatError('config-mismatch', `${file}: ${key} must be an object`);
  const s = new Fields(file, raw as Json);
  const type = (raw as Json).rope_type ?? (raw as Json).type ?? 'default';
  if (type === 'default') return undefined;
  if (type !== 'llama3') throw unsupported(file, `${key}.rope_type ${JSON.stringify(type)} (only "llama3")`);
  return {
    type: 'llama3',
    factor: s.num('factor', 8),
    lowFreqFactor: s.num('low_freq_factor', 1),
    highFreqFactor: s.num('high_freq_factor', 4),
    originalMaxPositionEmbeddings: s.int('original_max_position_embeddings', 8192),
  };
}

/**
 * Parses `config.json` (and, when given, `generation_config.json`, whose eos/bos ids take precedence).
 * Throws ModelFormatError: 'unsupported-architecture' for other model types or options,
 * 'config-mismatch' for a missing or ill-typed field, 'model-format' for invalid JSON.
 */
export function parseHfConfig(
  configFile: { name: string; text: string },
  generationFile?: { name: string; text: string },
): ModelConfig {
  const file = configFile.name;
  const json = parseJsonFile(file, configFile.text);
  const c = new Fields(file, json);

  const modelType = json.model_type;
  const architecture = typeof modelType === 'string' ? ARCHITECTURES[modelType] : undefined;
  if (!architecture) {
    throw unsupported(file, `model_type ${JSON.stringify(modelType)} (supported: llama, qwen2, qwen3)`);
  }
  const act = json.hidden_act ?? 'silu';
  if (act !== 'silu') throw unsupported(file, `hidden_act ${JSON.stringify(act)} (only "silu")`);
  if (c.bool('mlp_bias', false)) throw unsupported(file, 'mlp_bias: true');
  // Qwen2 always has q/k/v bias (no config field); Llama's and Qwen3's attention_bias also puts a bias on o_proj.
  if (architecture !== 'qwen2' && c.bool('attention_bias', false)) throw unsupported(file, 'attention_bias: true');
  if (architecture !== 'llama' && c.bool('use_sliding_window', false)) throw unsupported(file, 'use_sliding_window: true');

  const hiddenSize = c.int('hidden_size');
  const numHeads = c.int('num_attention_heads');
  const numKvHeads = c.int('num_key_value_heads', numHeads);
  if (numHeads % numKvHeads !== 0) {
    throw new ModelFormatError('config-mismatch', `${file}: num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  }
  const headDim = json.head_dim == null ? hiddenSize / numHeads : c.int('head_dim');
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) {
    throw new ModelFormatError('config-mismatch', `${file}: head dimension ${headDim} (hidden_size / num_attention_heads or head_dim) must be an even integer`);
  }

  // transformers >= 4.56 may nest theta and scaling in `rope_parameters`.
  const ropeParams = (json.rope_parameters ?? undefined) as Json | undefined;
  const ropeTheta =
    ropeParams && typeof ropeParams.rope_theta === 'number' ? ropeParams.rope_theta : c.num('rope_theta', 10000);
  const ropeScaling = json.rope_scaling != null ? parseRopeScaling(file, json.rope_scaling, 'rope_scaling') : parseRopeScaling(file, ropeParams, 'rope_parameters');

  let bosTokenId = c.ids('bos_token_id')?.[0];
  let eosTokenIds = c.ids('eos_token_id') ?? [];
  if (generationFile) {
    const g = new Fields(generationFile.name, parseJsonFile(generationFile.name, generationFile.text));
    bosTokenId = g.ids('bos_token_id')?.[0] ?? bosTokenId;
    eosTokenIds = g.ids('eos_token_id') ?? eosTokenIds;
  }

  return {
    architecture,
    vocabSize: c.int('vocab_size'),
    hiddenSize,
    intermediateSize: c.int('intermediate_size'),
    numLayers: c.int('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: c.num('rms_norm_eps', 1e-6),
    ropeTheta,
    ...(ropeScaling ? { ropeScaling } : {}),
    maxPositionEmbeddings: c.int('max_position_embeddings', architecture === 'llama' ? 2048 : 32768),
    tieWordEmbeddings: c.bool('tie_word_embeddings', false),
    attentionBias: architecture === 'qwen2',
    qkNorm: architecture === 'qwen3',
    ...(bosTokenId !== undefined ? { bosTokenId } : {}),
    eosTokenIds: [...new Set(eosTokenIds)],
  };
}
