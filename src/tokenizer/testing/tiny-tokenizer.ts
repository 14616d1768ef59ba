/**
 * Handmade tokenizer files for tests, in the two shapes real models ship:
 * - `llama`: SentencePiece-style BPE with byte fallback (`▁` for spaces, `<0xNN>` tokens for any byte
 *   whose character is not in the vocabulary), BOS added by the post-processor, ChatML chat template.
 * - `byteLevel`: GPT-2/Qwen-style byte-level BPE (every byte is a printable stand-in character).
 * The vocabularies are small (a few hundred ids) and built from a word list, so characters outside it
 * (é, €, 中, 😀) exercise byte fallback / multi-token characters.
 */

const WORDS = ['the', 'cat', 'sat', 'on', 'mat', 'hello', 'world', 'stop', 'answer', 'once', 'upon', 'a', 'time', 'end'];
const CHARS = [...'abcdefghijklmnopqrstuvwxyz.,!?:<>/\n'];

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export interface TokenizerFixture {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  generationConfig: Record<string, unknown>;
}

/** Left-to-right merges that build each word from its characters: ("▁", "c"), ("▁c", "a"), ... */
function wordMerges(words: string[]): { pieces: string[]; merges: [string, string][] } {
  const pieces: string[] = [];
  const merges: [string, string][] = [];
  const seen = new Set<string>();
  for (const word of words) {
    const chars = [...word];
    let acc = chars[0];
    for (const c of chars.slice(1)) {
      const merged = acc + c;
      if (!seen.has(merged)) {
        seen.add(merged);
        merges.push([acc, c]);
        pieces.push(merged);
      }
      acc = merged;
    }
  }
  return { pieces, merges };
}

const SPECIAL = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>'];

function addedTokens(): Record<string, unknown>[] {
  return SPECIAL.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
}

/** SentencePiece-style byte-fallback BPE (like Llama 2 / TinyLlama / SmolLM's Llama tokenizers). */
export function llamaTokenizer(): TokenizerFixture {
  const vocab: Record<string, number> = {};
  for (const t of SPECIAL) vocab[t] = Object.keys(vocab).length;
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = Object.keys(vocab).length;
  const { pieces, merges } = wordMerges(WORDS.map((w) => '▁' + w));
  for (const t of ['▁', ...CHARS.filter((c) => c !== '\n'), ...pieces]) {
    if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
  }
  return {
    tokenizerJson: {
      version: '1.0',
      added_tokens: addedTokens(),
      normalizer: {
        type: 'Sequence',
        normalizers: [
          { type: 'Prepend', prepend: '▁' },
          { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
        ],
      },
      pre_tokenizer: null,
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
        pair: [],
        special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
      },
      decoder: {
        type: 'Sequence',
        decoders: [
          { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
          { type: 'ByteFallback' },
          { type: 'Fuse' },
          { type: 'Strip', content: ' ', start: 1, stop: 0 },
        ],
      },
      model: { type: 'BPE', dropout: null, unk_token: '<unk>', fuse_unk: true, byte_fallback: true, vocab, merges },
    },
    tokenizerConfig: {
      bos_token: '<s>',
      eos_token: '</s>',
      unk_token: '<unk>',
      clean_up_tokenization_spaces: false,
      chat_template: CHATML_TEMPLATE,
    },
    generationConfig: { bos_token_id: 1, eos_token_id: [2, 4] },
  };
}

/** GPT-2's reversible byte → printable character map. */
function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const map: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) map[b] = String.fromCharCode(printable.includes(b) ? b : 256 + extra++);
  return map;
}

/** Byte-level BPE (like GPT-2 / Qwen2): no BOS, every byte is a token. */
export function byteLevelTokenizer(): TokenizerFixture {
  const byteChar = bytesToUnicode();
  const vocab: Record<string, number> = {};
  for (const t of SPECIAL) vocab[t] = Object.keys(vocab).length;
  for (const c of byteChar) vocab[c] = Object.keys(vocab).length;
  const space = byteChar[32];
  const { pieces, merges } = wordMerges(WORDS.map((w) => space + w));
  for (const t of pieces) if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
  return {
    tokenizerJson: {
      version: '1.0',
      added_tokens: addedTokens(),
      normalizer: null,
      pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      model: { type: 'BPE', dropout: null, unk_token: null, byte_fallback: false, vocab, merges },
    },
    tokenizerConfig: {
      add_bos_token: false,
      eos_token: '<|im_end|>',
      chat_template: CHATML_TEMPLATE,
    },
    generationConfig: { eos_token_id: 4 },
  };
}
