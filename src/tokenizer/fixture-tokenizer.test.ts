/**
 * The text layer on the fixture pair's real tokenizer (public/models/tiny-target: byte-fallback BPE,
 * 2048 tokens, ChatML template), against the ids its own Python pipeline produced (golden.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { StreamingDetokenizer } from './stream-decoder';
import { TextTokenizer } from './tokenizer';

const dir = join(import.meta.dirname, '../../public/models/tiny-target');
const json = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const tok = new TextTokenizer({
  tokenizerJson: json('tokenizer.json'),
  tokenizerConfig: json('tokenizer_config.json'),
  generationConfig: json('generation_config.json'),
  modelConfig: json('config.json'),
});
const golden = json('golden.json') as { cases: Array<{ text: string; prompt_ids: number[]; greedy_64: number[] }> };

describe('fixture tokenizer (tiny-target)', () => {
  test('encodes every golden prompt to the ids the training pipeline made (BOS included)', () => {
    expect(golden.cases.length).toBeGreaterThan(0);
    for (const c of golden.cases) expect(tok.encodePrompt(c.text), c.text).toEqual(c.prompt_ids);
  });

  test('EOS ids, BOS and vocabulary from the model files', () => {
    expect(tok.eosTokenIds).toEqual([2, 5]);
    expect(tok.bosTokenId).toBe(1);
    expect(tok.vocabSize).toBe(2048);
  });

  test('the chat template renders ChatML with one BOS and encodes without adding another', () => {
    const ids = tok.encodeChat([{ role: 'user', content: 'Hello' }]);
    expect(tok.renderChat([{ role: 'user', content: 'Hello' }])).toBe('<s><|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n');
    expect(ids.filter((id) => id === 1)).toHaveLength(1);
    expect(ids[0]).toBe(1);
    expect(ids[1]).toBe(tok.tokenId('<|im_start|>'));
  });

  test('streaming the golden continuations token by token gives exactly the full decode', () => {
    for (const c of golden.cases) {
      const detok = new StreamingDetokenizer((ids) => tok.decode(ids), c.prompt_ids);
      const text = c.greedy_64.map((id) => detok.push([id])).join('') + detok.flush();
      const full = tok.decode([...c.prompt_ids, ...c.greedy_64]);
      expect(text).toBe(full.slice(tok.decode(c.prompt_ids).length));
      expect(text).not.toContain('\uFFFD');
    }
  });

  test('multi-byte text round-trips through byte fallback', () => {
    const text = 'Café — “quoted” 中文 😀';
    const ids = tok.encodePrompt(text);
    expect(ids.some((id) => /^<0x[0-9A-F]{2}>$/.test(tok.tokenString(id) ?? ''))).toBe(true);
    expect(tok.decode(ids)).toBe(text);
    const detok = new StreamingDetokenizer((x) => tok.decode(x));
    const streamed = ids.map((id) => detok.push([id]));
    expect(streamed.join('') + detok.flush()).toBe(text);
    expect(streamed.every((s) => !s.includes('\uFFFD'))).toBe(true);
  });
});
