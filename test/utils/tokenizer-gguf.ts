/**
 * GGUF files whose metadata carries a given tokenizer (on a tiny random model, so llama.cpp accepts them), and
 * llama.cpp's own tokenizer for such a file (node-llama-cpp, vocabulary only), as the reference that the
 * tokenizers built from GGUF metadata (src/tokenizer/gguf-tokenizer.ts) are compared with.
 */
import type { LlamaModel } from 'node-llama-cpp';
import { GgufType } from '../../src/model/gguf';
import { GgufTokenType } from '../../src/tokenizer/gguf-vocab';
import { type GgufMetaEntry, meta } from './gguf-writer';
import { oracleLlama } from './llama-oracle';
import { modelToGguf } from './model-files';
import { randomModel } from './random-model';

export interface TokenizerSpec {
  model: 'llama' | 'gpt2';
  pre?: string;
  tokens: string[];
  /** GgufTokenType by id. */
  types: number[];
  scores?: number[];
  /** "left right" strings (gpt2). */
  merges?: string[];
  bos?: number;
  eos?: number;
  unk?: number;
  pad?: number;
  addBos?: boolean;
  addEos?: boolean;
  addSpacePrefix?: boolean;
  chatTemplate?: string;
}

/** The `tokenizer.*` metadata entries for a spec. */
export function tokenizerMeta(s: TokenizerSpec): GgufMetaEntry[] {
  const out: GgufMetaEntry[] = [
    meta.str('tokenizer.ggml.model', s.model),
    meta.arr('tokenizer.ggml.tokens', GgufType.STRING, s.tokens),
    meta.arr('tokenizer.ggml.token_type', GgufType.INT32, s.types),
  ];
  if (s.pre !== undefined) out.push(meta.str('tokenizer.ggml.pre', s.pre));
  if (s.scores) out.push(meta.arr('tokenizer.ggml.scores', GgufType.FLOAT32, s.scores));
  if (s.merges) out.push(meta.arr('tokenizer.ggml.merges', GgufType.STRING, s.merges));
  const ids = { bos: 'bos_token_id', eos: 'eos_token_id', unk: 'unknown_token_id', pad: 'padding_token_id' } as const;
  for (const [field, key] of Object.entries(ids)) {
    const v = s[field as keyof typeof ids];
    if (v !== undefined) out.push(meta.u32(`tokenizer.ggml.${key}`, v));
  }
  if (s.addBos !== undefined) out.push(meta.bool('tokenizer.ggml.add_bos_token', s.addBos));
  if (s.addEos !== undefined) out.push(meta.bool('tokenizer.ggml.add_eos_token', s.addEos));
  if (s.addSpacePrefix !== undefined) out.push(meta.bool('tokenizer.ggml.add_space_prefix', s.addSpacePrefix));
  if (s.chatTemplate !== undefined) out.push(meta.str('tokenizer.chat_template', s.chatTemplate));
  return out;
}

/** A tiny random llama model whose GGUF metadata holds the spec's tokenizer (and nothing else tokenizer-related). */
export function ggufWithTokenizer(spec: TokenizerSpec): Uint8Array {
  const model = randomModel(
    { architecture: 'llama', vocabSize: spec.tokens.length, hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKvHeads: 1 },
    1,
  );
  return modelToGguf(model, {
    dtype: 'f32',
    editMeta: (entries) => [...entries.filter((e) => !e.key.startsWith('tokenizer.')), ...tokenizerMeta(spec)],
  });
}

/** A byte-level BPE spec from trained tokens and merges, with ChatML-style control tokens and one user-defined token. */
export function byteLevelSpec(trained: { tokens: string[]; merges: [string, string][] }, pre: string): TokenizerSpec {
  const specials: [string, number][] = [
    ['<|endoftext|>', GgufTokenType.CONTROL],
    ['<|im_start|>', GgufTokenType.CONTROL],
    ['<|im_end|>', GgufTokenType.CONTROL],
    ['<tool_call>', GgufTokenType.USER_DEFINED],
  ];
  const tokens = [...trained.tokens, ...specials.map(([t]) => t)];
  const n = trained.tokens.length;
  return {
    model: 'gpt2',
    pre,
    tokens,
    types: [...trained.tokens.map(() => GgufTokenType.NORMAL), ...specials.map(([, type]) => type)],
    merges: trained.merges.map(([a, b]) => `${a} ${b}`),
    bos: n,
    eos: n + 2,
    chatTemplate: "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}",
  };
}

/** llama.cpp's tokenizer for a GGUF file on disk (vocabulary only: no weights are loaded). */
export async function llamaTokenizer(ggufPath: string): Promise<LlamaModel> {
  const llama = await oracleLlama();
  return llama.loadModel({ modelPath: ggufPath, vocabOnly: true });
}
