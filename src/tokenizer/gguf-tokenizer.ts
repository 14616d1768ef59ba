/**
 * Hugging Face tokenizer files built from a GGUF file's metadata, for models shipped as a lone `.gguf`
 * (e.g. the Hub's Q4_K_M files) with no tokenizer.json: `tokenizer.json`, `tokenizer_config.json` (BOS/EOS,
 * add_bos_token, chat_template) and the EOS ids a `generation_config.json` would give, as TokenizerFiles for
 * TextTokenizer. The target is llama.cpp's own tokenization of the file (test/tokenizer checks ids against it).
 *
 * - "llama" (SentencePiece): BPE with byte fallback and merges derived from the scores (gguf-tokenizer-spm.ts).
 * - "gpt2" (byte-level BPE): the file's merges and a pre-tokenizer chosen by tokenizer.ggml.pre (gguf-tokenizer-bpe.ts).
 * Control, user-defined and unknown tokens become added tokens, matched in text before anything else (as
 * llama.cpp does when it parses special tokens); control and unknown ones are special (left out of decoded text).
 */
import { ForesightError } from '../errors';
import type { GgufFile } from '../model/gguf';
import { bpeTokenizerJson, preTokenizerOf } from './gguf-tokenizer-bpe';
import { spmTokenizerJson } from './gguf-tokenizer-spm';
import { EOG_TOKEN_TEXTS, GgufTokenType, type GgufVocab, hasGgufVocab, readGgufVocab } from './gguf-vocab';
import type { TokenizerFiles } from './tokenizer';

export { hasGgufVocab as hasGgufTokenizer } from './gguf-vocab';

const ADDED_TYPES: ReadonlySet<number> = new Set([GgufTokenType.CONTROL, GgufTokenType.USER_DEFINED, GgufTokenType.UNKNOWN]);

function addedTokens(v: GgufVocab): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  v.types.forEach((type, id) => {
    if (!ADDED_TYPES.has(type)) return;
    out.push({
      id,
      content: v.tokens[id],
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: type !== GgufTokenType.USER_DEFINED,
    });
  });
  return out;
}

/** BOS (and EOS) around a plain-text prompt, when the file asks for them. */
function postProcessor(v: GgufVocab, addBos: boolean, addEos: boolean): Record<string, unknown> | null {
  const bos = addBos && v.bos !== undefined ? v.tokens[v.bos] : undefined;
  const eos = addEos && v.eos !== undefined ? v.tokens[v.eos] : undefined;
  if (bos === undefined && eos === undefined) return null;
  const special = (token: string | undefined, typeId: number) => (token === undefined ? [] : [{ SpecialToken: { id: token, type_id: typeId } }]);
  const sequence = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  const specialTokens: Record<string, unknown> = {};
  for (const [token, id] of [[bos, v.bos], [eos, v.eos]] as const) {
    if (token !== undefined) specialTokens[token] = { id: token, ids: [id], tokens: [token] };
  }
  return {
    type: 'TemplateProcessing',
    single: [...special(bos, 0), sequence('A', 0), ...special(eos, 0)],
    pair: [...special(bos, 0), sequence('A', 0), ...special(eos, 0), ...special(bos, 1), sequence('B', 1), ...special(eos, 1)],
    special_tokens: specialTokens,
  };
}

/** EOS ids, as llama.cpp's end-of-generation set: eos, eot, eom, and tokens named like an end of turn. */
function eosIds(v: GgufVocab): number[] {
  const ids = [v.eos, v.eot, v.eom].filter((id): id is number => id !== undefined);
  v.tokens.forEach((t, id) => {
    if (EOG_TOKEN_TEXTS.has(t)) ids.push(id);
  });
  return [...new Set(ids)];
}

/**
 * TokenizerFiles for TextTokenizer from a GGUF header. Throws ForesightError('tokenizer') naming the file when
 * the metadata has no tokenizer, an unsupported tokenizer model or pre-tokenizer, or malformed entries.
 */
export function ggufTokenizerFiles(gguf: Pick<GgufFile, 'name' | 'metadata'>): TokenizerFiles {
  if (!hasGgufVocab(gguf)) {
    throw new ForesightError('tokenizer', `${gguf.name}: the file has no tokenizer.json and no tokenizer in its metadata`);
  }
  const v = readGgufVocab(gguf);
  let sections: Record<string, unknown>;
  let defaultAddBos: boolean;
  if (v.model === 'llama') {
    sections = spmTokenizerJson(v);
    defaultAddBos = true;
    v.bos ??= 1; // llama.cpp's defaults for SentencePiece files
    v.eos ??= 2;
  } else if (v.model === 'gpt2') {
    sections = bpeTokenizerJson(v);
    defaultAddBos = preTokenizerOf(v).addBos ?? false;
  } else {
    throw new ForesightError(
      'tokenizer',
      `${v.file}: tokenizer.ggml.model = ${JSON.stringify(v.model)} is not supported; supported: "llama" (SentencePiece), "gpt2" (byte-level BPE)`,
    );
  }
  const addBos = (v.addBos ?? defaultAddBos) && v.bos !== undefined;
  const addEos = (v.addEos ?? false) && v.eos !== undefined;
  const name = (id: number | undefined) => (id === undefined ? undefined : v.tokens[id]);
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(v),
    post_processor: postProcessor(v, addBos, addEos),
    ...sections,
  };
  const tokenizerConfig = {
    add_bos_token: addBos,
    add_eos_token: addEos,
    bos_token: name(v.bos),
    eos_token: name(v.eos),
    unk_token: name(v.unk),
    pad_token: name(v.pad),
    ...(v.chatTemplate === undefined ? {} : { chat_template: v.chatTemplate }),
    clean_up_tokenization_spaces: false,
  };
  return { tokenizerJson, tokenizerConfig, generationConfig: { bos_token_id: v.bos, eos_token_id: eosIds(v) } };
}
