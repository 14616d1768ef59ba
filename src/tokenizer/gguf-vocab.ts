/**
 * The tokenizer a GGUF file carries in its metadata (`tokenizer.ggml.*`), read and checked: token texts,
 * types and scores, merges, special-token ids and flags. gguf-tokenizer.ts turns this into Hugging Face files.
 *
 * Keys (llama.cpp's llama-vocab.cpp reads the same ones):
 *   tokenizer.ggml.model          "llama" (SentencePiece) | "gpt2" (byte-level BPE) | others we do not read
 *   tokenizer.ggml.pre            pre-tokenizer name for "gpt2" ("llama-bpe", "qwen2", "smollm", ...)
 *   tokenizer.ggml.tokens         string[n]   token text by id
 *   tokenizer.ggml.token_type     int32[n]    GgufTokenType
 *   tokenizer.ggml.scores         f32[n]      SentencePiece piece scores (merge priority)
 *   tokenizer.ggml.merges         string[]    "left right", best first ("gpt2" only)
 *   tokenizer.ggml.{bos,eos,eot,eom,unknown,padding}_token_id, add_bos_token, add_eos_token, add_space_prefix
 *   tokenizer.chat_template       Jinja chat template
 */
import { ForesightError } from '../errors';
import type { GgufFile, GgufValue } from '../model/gguf';

/** llama.cpp's `llama_token_type`. */
export const GgufTokenType = { UNDEFINED: 0, NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/**
 * Token texts llama.cpp treats as end-of-generation (and as control tokens, whatever their stored type),
 * recognised by name because converters do not always mark them: its `special_eog_ids` heuristic.
 */
export const EOG_TOKEN_TEXTS: ReadonlySet<string> = new Set([
  '<|eot_id|>', '<|im_end|>', '<|end|>', '<end_of_turn>', '<|endoftext|>', '<|eom_id|>', '<EOT>', '<|end_of_text|>',
  '<end_of_utterance>',
]);

export interface GgufVocab {
  /** The file, for error messages. */
  file: string;
  model: string;
  /** tokenizer.ggml.pre ('' when absent). */
  pre: string;
  /** Token text by id; an empty text becomes `[EMPTY_<id>]`, as llama.cpp does. */
  tokens: string[];
  /** GgufTokenType by id (NORMAL when the file has no types); EOG-named tokens are CONTROL. */
  types: number[];
  /** Score by id (0 when the file has none). */
  scores: number[];
  /** "gpt2": merges as [left, right], best first. */
  merges: [string, string][];
  bos?: number;
  eos?: number;
  eot?: number;
  eom?: number;
  unk?: number;
  pad?: number;
  addBos?: boolean;
  addEos?: boolean;
  addSpacePrefix?: boolean;
  chatTemplate?: string;
}

function tokenizerError(file: string, message: string): ForesightError {
  return new ForesightError('tokenizer', `${file}: ${message}`);
}

type Meta = Pick<GgufFile, 'name' | 'metadata'>;

function array(g: Meta, key: string, element: 'string' | 'number', required: boolean): GgufValue[] | undefined {
  const v = g.metadata.get(key);
  if (v === undefined) {
    if (required) throw tokenizerError(g.name, `metadata ${key} is missing`);
    return undefined;
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== element)) {
    throw tokenizerError(g.name, `metadata ${key} should be an array of ${element}s`);
  }
  return v;
}

function id(g: Meta, key: string, size: number): number | undefined {
  const v = g.metadata.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw tokenizerError(g.name, `metadata ${key} should be an integer`);
  // llama.cpp ignores an out-of-range special id (with a warning); so do we.
  return v >= 0 && v < size ? v : undefined;
}

function flag(g: Meta, key: string): boolean | undefined {
  const v = g.metadata.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw tokenizerError(g.name, `metadata ${key} should be a boolean`);
  return v;
}

function text(g: Meta, key: string): string | undefined {
  const v = g.metadata.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw tokenizerError(g.name, `metadata ${key} should be a string`);
  return v;
}

/** True when the GGUF metadata has a tokenizer (tokenizer.ggml.model and tokens). */
export function hasGgufVocab(g: Meta): boolean {
  return g.metadata.has('tokenizer.ggml.model') && g.metadata.has('tokenizer.ggml.tokens');
}

/** Reads and checks the tokenizer metadata. Throws ForesightError('tokenizer') naming the file and key. */
export function readGgufVocab(g: Meta): GgufVocab {
  const model = text(g, 'tokenizer.ggml.model');
  if (model === undefined) throw tokenizerError(g.name, 'metadata tokenizer.ggml.model is missing: the file has no tokenizer');
  const tokens = (array(g, 'tokenizer.ggml.tokens', 'string', true) as string[]).map((t, i) => t || `[EMPTY_${i}]`);
  const n = tokens.length;
  if (n === 0) throw tokenizerError(g.name, 'metadata tokenizer.ggml.tokens is empty');
  const sized = (key: string) => {
    const a = array(g, key, 'number', false) as number[] | undefined;
    if (a && a.length < n) throw tokenizerError(g.name, `metadata ${key} has ${a.length} entries for ${n} tokens`);
    return a;
  };
  const types = (sized('tokenizer.ggml.token_type') ?? tokens.map(() => GgufTokenType.NORMAL)).slice(0, n);
  tokens.forEach((t, i) => {
    if (EOG_TOKEN_TEXTS.has(t)) types[i] = GgufTokenType.CONTROL;
  });
  const scores = (sized('tokenizer.ggml.scores') ?? tokens.map(() => 0)).slice(0, n);
  const merges = ((array(g, 'tokenizer.ggml.merges', 'string', model === 'gpt2') ?? []) as string[]).map((m, i) => {
    // The separator is the first space after the first character (a merge's left part may be a space itself).
    const at = m.indexOf(' ', 1);
    if (at < 0) throw tokenizerError(g.name, `metadata tokenizer.ggml.merges[${i}] ${JSON.stringify(m)} is not "left right"`);
    return [m.slice(0, at), m.slice(at + 1)] as [string, string];
  });
  return {
    file: g.name,
    model,
    pre: text(g, 'tokenizer.ggml.pre') ?? '',
    tokens,
    types,
    scores,
    merges,
    bos: id(g, 'tokenizer.ggml.bos_token_id', n),
    eos: id(g, 'tokenizer.ggml.eos_token_id', n),
    eot: id(g, 'tokenizer.ggml.eot_token_id', n),
    eom: id(g, 'tokenizer.ggml.eom_token_id', n),
    unk: id(g, 'tokenizer.ggml.unknown_token_id', n),
    pad: id(g, 'tokenizer.ggml.padding_token_id', n),
    addBos: flag(g, 'tokenizer.ggml.add_bos_token'),
    addEos: flag(g, 'tokenizer.ggml.add_eos_token'),
    addSpacePrefix: flag(g, 'tokenizer.ggml.add_space_prefix'),
    chatTemplate: text(g, 'tokenizer.chat_template'),
  };
}

/** Token text -> id; a text that appears twice maps to its last id, as in llama.cpp's token_to_id. */
export function tokenIds(tokens: readonly string[]): Map<string, number> {
  const ids = new Map<string, number>();
  tokens.forEach((t, i) => ids.set(t, i));
  return ids;
}

/** The BPE model's `vocab` object. Null prototype: a token named `__proto__` must stay a plain key. */
export function vocabObject(tokens: readonly string[]): Record<string, number> {
  const vocab: Record<string, number> = Object.create(null);
  tokens.forEach((t, i) => {
    vocab[t] = i;
  });
  return vocab;
}
