/**
 * Tokenizers built from GGUF metadata (src/tokenizer/gguf-tokenizer.ts) against llama.cpp's own tokenizer for
 * the same file: identical ids for text in several scripts, odd whitespace, digits, emoji and special tokens
 * (and for seeded random strings over many Unicode blocks), and the same decoded text. Two vocabularies:
 * - SentencePiece ("llama"): the fixture pair's GGUF (a real SentencePiece BPE model), and the same vocabulary
 *   with add_space_prefix off;
 * - byte-level BPE ("gpt2"): a vocabulary trained here (test/utils/bpe-trainer.ts), under each supported
 *   family of pre-tokenizers.
 */
import { readFileSync } from 'node:fs';
import type { LlamaModel, Token } from 'node-llama-cpp';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/model/byte-source';
import { readGgufHeader } from '../../src/model/gguf';
import { ggufTokenizerFiles } from '../../src/tokenizer/gguf-tokenizer';
import type { TokenizerFiles } from '../../src/tokenizer/tokenizer';
import { readGgufVocab } from '../../src/tokenizer/gguf-vocab';
import { TextTokenizer } from '../../src/tokenizer/tokenizer';
import { TRAINING_TEXT, byteToChar, trainByteLevelBpe } from '../utils/bpe-trainer';
import { cleanupCases, writeTempGguf } from '../utils/oracle-cases';
import { Rng } from '../utils/rng';
import { type TokenizerSpec, byteLevelSpec, ggufWithTokenizer, llamaTokenizer } from '../utils/tokenizer-gguf';

const FIXTURE_GGUF = new URL('../../public/models/tiny-target/tiny-target-q4_0.gguf', import.meta.url);

const TEXTS = [
  'Hello world',
  'The quick brown fox jumps over the lazy dog.',
  ' leading space',
  'trailing space ',
  'two  spaces   three    four',
  'line one\nline two\n\nafter a blank line\r\nwindows line\n',
  '\ttab\tseparated\t\tvalues',
  '   ',
  '\n\n\n',
  'Numbers: 0 7 42 123 4567 89012 3.14159 1,024 2023-12-04',
  "Contractions: don't, I'll, we've, she'd, it's, THEY'RE, I'M",
  'héllo wörld — ça va? naïve façade, crème brûlée, Ærøskøbing',
  '日本語のテキスト、中文，한국어',
  'emoji 😀👍🏽🚢 and flags 🇫🇷 and ☀️',
  'mixed: café 42 日本 😀 done!!! ...',
  'code: def f(x):\n    return x ** 2  # square\n',
  '<|im_start|>user\nhello there<|im_end|>\n<|im_start|>assistant\n',
  'text<|im_end|>more',
];

/** Seeded random strings: C0/C1 controls, ASCII, Latin, Greek/Cyrillic, Hebrew/Arabic, Unicode spaces and
 * punctuation, combining marks, kana, CJK, Hangul, emoji. */
function randomStrings(count: number, seed: number): string[] {
  const rng = new Rng(seed);
  const ranges: [number, number][] = [
    [0x00, 0x1f], [0x20, 0x7e], [0x20, 0x7e], [0x20, 0x7e], [0x7f, 0x9f], [0xa0, 0x24f], [0x300, 0x36f], [0x370, 0x4ff],
    [0x590, 0x6ff], [0x2000, 0x206f], [0x3000, 0x30ff], [0x4e00, 0x9fff], [0xac00, 0xd7a3], [0x1f300, 0x1faff],
  ];
  return Array.from({ length: count }, () => {
    const length = 1 + rng.int(30);
    let out = '';
    while (out.length < length) {
      const [lo, hi] = ranges[rng.int(ranges.length)];
      out += String.fromCodePoint(lo + rng.int(hi - lo + 1));
    }
    return out;
  });
}
const RANDOM_TEXTS = randomStrings(150, 3);

/** Texts whose decoding llama.cpp rewrites when it cleans up spaces (" ." -> "."), for pre-tokenizers that do. */
const CLEANED = / [?!.,']|'(s|m|ve|re)\b|n't/;

afterAll(cleanupCases);

interface Opened {
  ours: TextTokenizer;
  llama: LlamaModel;
}

/** Our tokenizer from the file's metadata (optionally altered, to show the checks can fail) and llama.cpp's. */
async function open(source: TokenizerSpec | URL, alter?: (files: TokenizerFiles) => TokenizerFiles): Promise<Opened> {
  const bytes = source instanceof URL ? new Uint8Array(readFileSync(source)) : ggufWithTokenizer(source);
  const files = ggufTokenizerFiles(await readGgufHeader(bytesSource('model.gguf', bytes)));
  const ours = new TextTokenizer(alter ? alter(files) : files);
  const llama = await llamaTokenizer(source instanceof URL ? source.pathname : await writeTempGguf(bytes));
  return { ours, llama };
}

/** TEXTS whose ids differ between the two tokenizers. */
function idMismatches({ ours, llama }: Opened): string[] {
  return TEXTS.filter((text) => JSON.stringify(ours.encode(text)) !== JSON.stringify(llama.tokenize(text, true)));
}

async function check(source: TokenizerSpec | URL, opts: { cleansSpaces?: boolean } = {}): Promise<TextTokenizer> {
  const opened = await open(source);
  const { ours, llama } = opened;
  try {
    for (const text of [...TEXTS, ...RANDOM_TEXTS]) {
      expect(ours.encode(text), `ids of ${JSON.stringify(text)}`).toEqual(llama.tokenize(text, true));
    }
    for (const text of TEXTS) {
      if (/<\|im_/.test(text) || (opts.cleansSpaces && CLEANED.test(text))) continue;
      const ids = ours.encode(text);
      expect(ours.decode(ids), `decoding ${JSON.stringify(text)}`).toBe(llama.detokenize(ids as Token[], false));
      expect(ours.decode(ids)).toBe(text);
    }
    // BOS rule and special ids agree with llama.cpp's reading of the file.
    expect(ours.addBos).toBe(llama.tokens.shouldPrependBosToken);
    expect(ours.bosTokenId).toBe(llama.tokens.bos ?? undefined);
    expect(ours.eosTokenIds).toContain(llama.tokens.eos);
  } finally {
    await llama.dispose();
  }
  return ours;
}

async function mismatchesWhenAltered(source: TokenizerSpec | URL, alter: (files: TokenizerFiles) => TokenizerFiles): Promise<string[]> {
  const opened = await open(source, alter);
  try {
    return idMismatches(opened);
  } finally {
    await opened.llama.dispose();
  }
}

/** The same files with tokenizer.json's model section edited. */
const editModel = (edit: (model: Record<string, unknown>) => Record<string, unknown>) => (files: TokenizerFiles): TokenizerFiles => {
  const json = files.tokenizerJson as Record<string, unknown>;
  return { ...files, tokenizerJson: { ...json, model: edit(json.model as Record<string, unknown>) } };
};

describe('SentencePiece vocabulary ("llama") vs llama.cpp', () => {
  it('the fixture GGUF', async () => {
    const ours = await check(FIXTURE_GGUF);
    expect(ours.encodePrompt('Hello')[0]).toBe(1);
    expect(ours.renderChat([{ role: 'user', content: 'hi' }])).toBe('<s><|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');
  });

  it('the same vocabulary without the space prefix', async () => {
    const v = readGgufVocab(await readGgufHeader(bytesSource('f.gguf', new Uint8Array(readFileSync(FIXTURE_GGUF)))));
    const spec: TokenizerSpec = { model: 'llama', tokens: v.tokens, types: v.types, scores: v.scores, bos: 1, eos: 2, unk: 0, addSpacePrefix: false };
    const ours = await check(spec);
    expect(ours.encode('Hello')[0]).not.toBe(ours.encode(' Hello')[0]);
  });
});

describe('byte-level BPE vocabulary ("gpt2") vs llama.cpp', () => {
  const trained = trainByteLevelBpe(TRAINING_TEXT, 400);

  it('trains a vocabulary with multi-byte tokens', () => {
    expect(trained.merges.length).toBeGreaterThan(120);
    const chars = byteToChar();
    const byteLevel = (s: string) => Array.from(new TextEncoder().encode(s), (b) => chars[b]).join('');
    for (const word of [' the', ' keeper', '的', '船', '🚢']) expect(trained.tokens, word).toContain(byteLevel(word));
  });

  const PRES: [string, boolean][] = [
    ['gpt-2', true],
    ['llama-bpe', true],
    ['qwen2', false],
    ['smollm', false],
    ['default', true],
  ];
  for (const [pre, cleansSpaces] of PRES) {
    it(`pre-tokenizer "${pre}"`, async () => {
      await check(byteLevelSpec(trained, pre), { cleansSpaces });
    });
  }
});

describe('the comparison has teeth', () => {
  it('SentencePiece merges ranked by id of the left part instead of score disagree with llama.cpp', async () => {
    const byLeft = editModel((m) => ({
      ...m,
      merges: [...(m.merges as [string, string][])].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    }));
    expect((await mismatchesWhenAltered(FIXTURE_GGUF, byLeft)).length).toBeGreaterThan(3);
  });

  it('the wrong pre-tokenizer for a byte-level vocabulary disagrees with llama.cpp', async () => {
    const trained = trainByteLevelBpe(TRAINING_TEXT, 400);
    const gpt2 = ggufTokenizerFiles(await readGgufHeader(bytesSource('g.gguf', ggufWithTokenizer(byteLevelSpec(trained, 'gpt-2')))));
    const mismatches = await mismatchesWhenAltered(byteLevelSpec(trained, 'llama-bpe'), () => gpt2);
    expect(mismatches).toContain('Numbers: 0 7 42 123 4567 89012 3.14159 1,024 2023-12-04');
  });
});
