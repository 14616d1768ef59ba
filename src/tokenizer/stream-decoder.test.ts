import { describe, expect, test } from 'vitest';
import { StreamingDetokenizer } from './stream-decoder';
import { TextTokenizer } from './tokenizer';
import { byteLevelTokenizer, llamaTokenizer } from './testing/tiny-tokenizer';

const tokenizers = { llama: new TextTokenizer(llamaTokenizer()), byteLevel: new TextTokenizer(byteLevelTokenizer()) };

/** Pushes ids in the given chunk sizes; returns every emission (flush last). */
function stream(tok: TextTokenizer, ids: number[], sizes: number[], context: number[] = []): string[] {
  const detok = new StreamingDetokenizer((x) => tok.decode(x), context);
  const out: string[] = [];
  let i = 0;
  for (let s = 0; i < ids.length; s++) {
    const n = sizes[s % sizes.length];
    out.push(detok.push(ids.slice(i, i + n)));
    i += n;
  }
  out.push(detok.flush());
  return out;
}

/** No lone surrogate: the chunk holds whole characters only (String.prototype.isWellFormed, ES2024). */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** A small seeded PRNG (mulberry32) so random cases are reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(Object.entries(tokenizers))('StreamingDetokenizer (%s)', (_name, tok) => {
  const text = 'the cat sat: €é中😀! once upon a time';
  const ids = tok.encode(text);

  test('split multi-byte characters are emitted whole, once complete', () => {
    const euro = tok.encode('€');
    expect(euro.length).toBeGreaterThanOrEqual(3); // three bytes, three tokens (byte fallback / byte-level)
    const out = stream(tok, euro, [1]);
    expect(out.slice(0, euro.length - 1).every((t) => t === '' || !t.includes('\uFFFD'))).toBe(true);
    expect(out.join('')).toMatch(/€$/);
    expect(out.join('')).not.toContain('\uFFFD');
    // The test has teeth: decoding token by token breaks the character.
    expect(euro.map((id) => tok.decode([id])).join('')).toContain('\uFFFD');
  });

  test('a 4-byte emoji split over tokens arrives in one piece', () => {
    const emoji = tok.encode('a😀b');
    const out = stream(tok, emoji, [1]);
    expect(out.join('')).toBe(tok.decode(emoji));
    expect(out.some((t) => t.includes('😀'))).toBe(true);
    for (const t of out) expect(wellFormed(t)).toBe(true);
  });

  test.each([[[1]], [[2]], [[3, 1]], [[5]], [[100]]])('any chunking gives the full decode (chunks %j)', (sizes) => {
    const out = stream(tok, ids, sizes);
    expect(out.join('')).toBe(tok.decode(ids));
    for (const t of out) expect(t).not.toContain('\uFFFD');
  });

  test('context keeps the leading space of the first generated word', () => {
    const prompt = tok.encodePrompt('the cat');
    const all = tok.encodePrompt('the cat sat on the mat');
    expect(all.slice(0, prompt.length)).toEqual(prompt);
    const generated = all.slice(prompt.length);
    const out = stream(tok, generated, [1], prompt);
    expect(out.join('')).toBe(tok.decode([...prompt, ...generated]).slice(tok.decode(prompt).length));
    expect(out.join('')).toBe(' sat on the mat');
  });

  test('invalid bytes are not dropped: they show as U+FFFD in place, like a full decode', () => {
    // The byte 0xE2 alone: a lead byte with no continuation (`<0xE2>` or byte-level `â`).
    const lead = (tok.tokenId('<0xE2>') ?? tok.tokenId('â')) as number;
    const a = [tok.tokenId('a') as number];
    const out = stream(tok, [lead, ...a], [1]);
    expect(out.join('')).toBe(tok.decode([lead, ...a]));
    expect(out.join('')).toBe('\uFFFDa');
    // A lone lead byte at the very end is flushed, not dropped.
    expect(stream(tok, [...a, lead], [1]).join('')).toBe('a\uFFFD');
  });

  test('random id sequences (bytes, pieces, specials): stream == full decode, every chunk well-formed', () => {
    const random = rng(1234);
    const vocab = tok.vocabSize;
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 24);
      const seq = Array.from({ length: n }, () => Math.floor(random() * vocab));
      const context = Array.from({ length: Math.floor(random() * 3) }, () => 5 + Math.floor(random() * (vocab - 5)));
      const sizes = [1 + Math.floor(random() * 4)];
      const out = stream(tok, seq, sizes, context);
      const ctxText = tok.decode(context);
      const expected = ctxText.endsWith('\uFFFD') ? tok.decode(seq) : tok.decode([...context, ...seq]).slice(ctxText.length);
      expect(out.join(''), `trial ${trial}: ${JSON.stringify(seq)} ctx ${JSON.stringify(context)}`).toBe(expected);
      for (const t of out) expect(wellFormed(t)).toBe(true);
    }
  });
});
