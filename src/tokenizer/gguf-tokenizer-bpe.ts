/**
 * A GGUF byte-level BPE vocabulary (`tokenizer.ggml.model = "gpt2"`: GPT-2, Llama 3, Qwen2, SmolLM, ...) as a
 * Hugging Face tokenizer. The vocabulary and merges carry over as they are (tokens are already written in
 * GPT-2's byte-to-character alphabet); what the file only names is the pre-tokenizer, `tokenizer.ggml.pre`,
 * which selects the regular expressions that split text into words before merging. llama.cpp applies each
 * expression of a list in turn to the pieces the previous one produced, keeping the text between matches as
 * pieces too: a Hugging Face `Split` with behavior "Isolated" per expression, then the byte-to-character map.
 */
import { ForesightError } from '../errors';
import { type GgufVocab, vocabObject } from './gguf-vocab';

// The expressions, as llama.cpp's llama-vocab.cpp lists them per pre-tokenizer type (Oniguruma syntax, as
// tokenizer.json's Split patterns; @huggingface/tokenizers translates them to JavaScript).
const GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
const CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
const llama3Like = (digits: string) =>
  `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|${digits}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`;

interface PreTokenizer {
  names: readonly string[];
  regexes: readonly string[];
  /** A word that is itself a token is emitted whole, without merging (Llama 3's tokenizer.json `ignore_merges`). */
  ignoreMerges?: boolean;
  /** llama.cpp's default for add_bos_token when the file does not say. */
  addBos?: boolean;
}

/** Pre-tokenizers by `tokenizer.ggml.pre` (a file without the key gets llama.cpp's "default"). */
export const PRE_TOKENIZERS: readonly PreTokenizer[] = [
  { names: ['', 'default'], regexes: ['[\\p{P}\\$\\+<=>\\^~\\|]+', GPT2, '\\p{N}+', '[0-9][0-9][0-9]'] },
  {
    names: ['llama3', 'llama-v3', 'llama-bpe', 'falcon3', 'falcon-h1', 'pixtral', 'midm-2.0', 'lfm2'],
    regexes: [llama3Like('\\p{N}{1,3}')],
    ignoreMerges: true,
    addBos: true,
  },
  { names: ['dbrx', 'smaug-bpe'], regexes: [llama3Like('\\p{N}{1,3}')] },
  { names: ['qwen2', 'deepseek-r1-qwen', 'kormo'], regexes: [llama3Like('\\p{N}')] },
  { names: ['smollm', 'starcoder', 'refact', 'command-r', 'codeshell', 'exaone', 'minerva-7b'], regexes: ['\\p{N}', GPT2] },
  {
    names: ['gpt-2', 'phi-2', 'jina-es', 'jina-de', 'gigachat', 'jina-v2-es', 'jina-v2-de', 'mpt', 'olmo', 'jais', 'trillion'],
    regexes: [GPT2],
  },
];

export function preTokenizerOf(v: Pick<GgufVocab, 'file' | 'pre'>): PreTokenizer {
  const found = PRE_TOKENIZERS.find((p) => p.names.includes(v.pre));
  if (!found) {
    const known = PRE_TOKENIZERS.flatMap((p) => p.names).filter(Boolean);
    throw new ForesightError(
      'tokenizer',
      `${v.file}: pre-tokenizer tokenizer.ggml.pre = ${JSON.stringify(v.pre)} is not supported; supported: ${known.join(', ')}`,
    );
  }
  return found;
}

/** tokenizer.json sections for a byte-level BPE vocabulary (everything but added_tokens and post_processor). */
export function bpeTokenizerJson(v: GgufVocab): Record<string, unknown> {
  const pre = preTokenizerOf(v);
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  return {
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        ...pre.regexes.map((r) => ({ type: 'Split', pattern: { Regex: r }, behavior: 'Isolated', invert: false })),
        byteLevel,
      ],
    },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: pre.ignoreMerges ?? false,
      vocab: vocabObject(v.tokens),
      merges: v.merges,
    },
  };
}
