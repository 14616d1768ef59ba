/**
 * Unit tests of the GGUF-metadata tokenizer: merge ranking, BOS/EOS rules, special tokens, typed errors.
 * (Agreement with llama.cpp's tokenization is in test/oracle/gguf-tokenizer-vs-llama.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { trainByteLevelBpe } from '../../test/utils/bpe-trainer';
import { ForesightError } from '../errors';
import type { GgufValue } from '../model/gguf';
import { ggufTokenizerFiles, hasGgufTokenizer } from './gguf-tokenizer';
import { spmMerges } from './gguf-tokenizer-spm';
import { GgufTokenType } from './gguf-vocab';
import { TextTokenizer } from './tokenizer';

const { NORMAL, UNKNOWN, CONTROL, USER_DEFINED, BYTE } = GgufTokenType;

function header(entries: Record<string, GgufValue>) {
  return { name: 'm.gguf', metadata: new Map(Object.entries(entries)) };
}

const BYTES = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);

/** A SentencePiece vocabulary: <unk> <s> </s>, chat markers, bytes, then pieces with descending scores. */
function spm(extra: Record<string, GgufValue> = {}) {
  const pieces = ['▁', 'a', 'b', 'c', 'ab', 'bc', 'abc', '▁abc', 'xy', '▁b'];
  const tokens = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>', '<tool>', ...BYTES, ...pieces];
  const types = [UNKNOWN, CONTROL, CONTROL, CONTROL, CONTROL, USER_DEFINED, ...BYTES.map(() => BYTE), ...pieces.map(() => NORMAL)];
  const pieceScores: Record<string, number> = { '▁': -1, a: -2, b: -3, c: -4, ab: -10, bc: -5, abc: -20, '▁abc': -30, xy: -6, '▁b': -7 };
  const scores = tokens.map((t) => pieceScores[t] ?? 0);
  return header({
    'tokenizer.ggml.model': 'llama',
    'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.token_type': types,
    'tokenizer.ggml.scores': scores,
    'tokenizer.chat_template': "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}",
    ...extra,
  });
}

/** Byte-level BPE trained on a line of text, plus digit merges that tell pre-tokenizers apart, and specials. */
function byteLevel(pre: string, extra: Record<string, GgufValue> = {}) {
  const trained = trainByteLevelBpe('the cat sat on the mat; the cat ate the rat.', 30);
  const digitMerges = ['1 2', '3 4', '12 3', '4 5', '45 6'];
  const words = [...trained.tokens, '12', '34', '123', '45', '456'];
  const tokens = [...words, '<|endoftext|>', '<|eot_id|>', '<think>'];
  const n = words.length;
  return header({
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.pre': pre,
    'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.token_type': [...words.map(() => NORMAL), CONTROL, NORMAL, USER_DEFINED],
    'tokenizer.ggml.merges': [...digitMerges, ...trained.merges.map(([a, b]) => `${a} ${b}`)],
    'tokenizer.ggml.bos_token_id': n,
    'tokenizer.ggml.eos_token_id': n,
    ...extra,
  });
}

describe('SentencePiece ("llama") vocabularies', () => {
  it('ranks merges by the merged piece score, best first; single characters may merge without being tokens', () => {
    const tokens = ['<unk>', 'a', 'b', 'c', 'ab', 'bc', 'abc', 'xy'];
    const scores = [0, -1, -2, -3, -10, -5, -20, -6];
    expect(spmMerges(tokens, scores)).toEqual([
      ['b', 'c'], // bc: -5
      ['x', 'y'], // xy: -6 ('x' and 'y' are not tokens; llama.cpp still merges the two characters)
      ['a', 'b'], // ab: -10
      ['a', 'bc'], // abc: -20, both splits, by the id of the left part
      ['ab', 'c'],
    ]);
  });

  it('tokenizes like SentencePiece: best-scored pair first, byte fallback, ▁ prefix after special tokens', () => {
    const tok = new TextTokenizer(ggufTokenizerFiles(spm()));
    const ids = (s: string) => tok.encode(s).map((id) => tok.tokenString(id));
    expect(ids('abc')).toEqual(['▁abc']); // ▁,a,b,c -> ▁,a,bc -> ▁,abc -> ▁abc
    expect(ids('xy b')).toEqual(['▁', 'xy', '▁b']);
    expect(ids('é')).toEqual(['▁', '<0xC3>', '<0xA9>']);
    expect(ids('<|im_start|>abc<tool>b')).toEqual(['<|im_start|>', '▁abc', '<tool>', '▁b']);
    expect(tok.decode(tok.encode('abc é xy'))).toBe('abc é xy');
    expect(tok.decode(tok.encode('<|im_start|>abc<tool>'))).toBe('abc<tool>'); // control tokens are skipped, user-defined kept
  });

  it('BOS by default, <s> / </s> when the file names none; EOS ids include end-of-turn tokens; chat template', () => {
    const tok = new TextTokenizer(ggufTokenizerFiles(spm()));
    expect(tok.addBos).toBe(true);
    expect(tok.encodePrompt('abc')).toEqual([1, ...tok.encode('abc')]);
    expect(tok.eosTokenIds).toEqual([2, 4]);
    expect(tok.renderChat([{ role: 'user', content: 'hi' }])).toBe('<s>hi');
    expect(tok.specialIds).toEqual(new Set([0, 1, 2, 3, 4]));
    const noBos = new TextTokenizer(ggufTokenizerFiles(spm({ 'tokenizer.ggml.add_bos_token': false })));
    expect(noBos.encodePrompt('abc')).toEqual(noBos.encode('abc'));
  });

  it('add_space_prefix = false: no ▁ before the first word', () => {
    const tok = new TextTokenizer(ggufTokenizerFiles(spm({ 'tokenizer.ggml.add_space_prefix': false })));
    expect(tok.encode('abc').map((id) => tok.tokenString(id))).toEqual(['abc']);
    expect(tok.decode(tok.encode(' abc'))).toBe(' abc');
  });
});

describe('byte-level BPE ("gpt2") vocabularies', () => {
  it('BOS by the pre-tokenizer family unless the file says; llama-bpe ignores merges for whole-token words', () => {
    const files = (pre: string, extra?: Record<string, GgufValue>) => ggufTokenizerFiles(byteLevel(pre, extra));
    expect(new TextTokenizer(files('llama-bpe')).addBos).toBe(true);
    expect(new TextTokenizer(files('qwen2')).addBos).toBe(false);
    expect(new TextTokenizer(files('qwen2', { 'tokenizer.ggml.add_bos_token': true })).addBos).toBe(true);
    expect((files('llama-bpe').tokenizerJson as { model: { ignore_merges: boolean } }).model.ignore_merges).toBe(true);
    expect((files('gpt-2').tokenizerJson as { model: { ignore_merges: boolean } }).model.ignore_merges).toBe(false);
  });

  it('splits words by the pre-tokenizer: digit runs of 3 (llama-bpe), single digits (qwen2, smollm), whole runs (gpt-2)', () => {
    const pieces = (pre: string) => {
      const tok = new TextTokenizer(ggufTokenizerFiles(byteLevel(pre)));
      return tok.encode('1234567').map((id) => tok.tokenString(id));
    };
    // llama-bpe: words 123 | 456 | 7, each whole when it is a token (ignore_merges).
    expect(pieces('llama-bpe')).toEqual(['123', '456', '7']);
    // gpt-2: one word, merged by rank: 1+2, then 3+4 (so 12+3 and 4+5 never apply).
    expect(pieces('gpt-2')).toEqual(['12', '34', '5', '6', '7']);
    for (const pre of ['qwen2', 'smollm']) expect(pieces(pre)).toEqual([...'1234567']);
  });

  it('end-of-turn tokens named like llama.cpp recognises them are special and end generation; user-defined ones are not special', () => {
    const tok = new TextTokenizer(ggufTokenizerFiles(byteLevel('qwen2')));
    const eot = tok.tokenId('<|eot_id|>')!;
    expect(tok.eosTokenIds).toEqual([tok.tokenId('<|endoftext|>'), eot]);
    expect(tok.encode('the<|eot_id|>')).toContain(eot);
    expect(tok.decode(tok.encode('the cat<think>sat<|eot_id|>'))).toBe('the cat<think>sat');
  });
});

describe('bad metadata: typed errors naming the file and key', () => {
  const error = (entries: ReturnType<typeof header>) => {
    try {
      ggufTokenizerFiles(entries);
    } catch (err) {
      expect(err).toBeInstanceOf(ForesightError);
      expect((err as ForesightError).code).toBe('tokenizer');
      return (err as Error).message;
    }
    throw new Error('no error');
  };

  it('no tokenizer at all', () => {
    const h = header({ 'general.architecture': 'llama' });
    expect(hasGgufTokenizer(h)).toBe(false);
    expect(error(h)).toMatch(/m\.gguf: the file has no tokenizer\.json and no tokenizer in its metadata/);
  });

  it('an unsupported tokenizer model or pre-tokenizer', () => {
    expect(error(spm({ 'tokenizer.ggml.model': 't5' }))).toMatch(/m\.gguf: tokenizer\.ggml\.model = "t5" is not supported/);
    expect(error(byteLevel('tekken'))).toMatch(/m\.gguf: pre-tokenizer tokenizer\.ggml\.pre = "tekken" is not supported; supported: default, llama3, /);
  });

  it('malformed entries', () => {
    expect(error(byteLevel('qwen2', { 'tokenizer.ggml.merges': ['ab'] }))).toMatch(/tokenizer\.ggml\.merges\[0\] "ab" is not "left right"/);
    expect(error(spm({ 'tokenizer.ggml.tokens': [1, 2, 3] }))).toMatch(/tokenizer\.ggml\.tokens should be an array of strings/);
    expect(error(spm({ 'tokenizer.ggml.scores': [0, 0] }))).toMatch(/tokenizer\.ggml\.scores has 2 entries for 272 tokens/);
    expect(error(spm({ 'tokenizer.ggml.add_bos_token': 1 }))).toMatch(/tokenizer\.ggml\.add_bos_token should be a boolean/);
    const { 'tokenizer.ggml.merges': _, ...noMerges } = Object.fromEntries(byteLevel('qwen2').metadata);
    expect(error(header(noMerges))).toMatch(/metadata tokenizer\.ggml\.merges is missing/);
  });

  it('empty and repeated token texts behave as in llama.cpp: [EMPTY_i], and the last id wins', () => {
    const h = header({ 'tokenizer.ggml.model': 'llama', 'tokenizer.ggml.tokens': ['<unk>', '<s>', '</s>', '', '▁a', '▁a'] });
    const tok = new TextTokenizer(ggufTokenizerFiles(h));
    expect(tok.tokenString(3)).toBe('[EMPTY_3]');
    expect(tok.encode('a')).toEqual([5]);
  });
});
