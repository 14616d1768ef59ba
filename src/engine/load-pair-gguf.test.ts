/**
 * A lone `.gguf` file (no tokenizer.json next to it, as the Hub's Q4_K_M files come) loads with the tokenizer
 * from its metadata: the fixture pair's f16 GGUFs give the same prompt ids and the same golden greedy tokens
 * as the Hugging Face folders, and pair with each other for speculative decoding.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { modelToGguf } from '../../test/utils/model-files';
import { SHAPES, randomModel } from '../../test/utils/random-model';
import { ModelFormatError } from '../errors';
import { createNodeEngine } from './node-engine';

const MODELS = join(import.meta.dirname, '../../public/models');
const target = join(MODELS, 'tiny-target/tiny-target-f16.gguf');
const draft = join(MODELS, 'tiny-draft/tiny-draft-f16.gguf');
const golden = JSON.parse(await readFile(join(MODELS, 'tiny-target/golden.json'), 'utf8')) as {
  cases: Array<{ text: string; prompt_ids: number[]; greedy_32: number[] }>;
};

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'foresight-lone-gguf-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('a lone .gguf file', () => {
  test('loads with its metadata tokenizer: golden prompt ids and greedy tokens, speculative with a lone draft', async () => {
    const engine = createNodeEngine({ cacheDir: join(tmp, 'cache') });
    const info = await engine.load({ target, draft, device: 'cpu' });
    expect(info).toMatchObject({ vocabSize: 2048, drafting: 'model', eosTokenIds: [2, 5], hasChatTemplate: true });
    const { text, prompt_ids, greedy_32 } = golden.cases[0];
    expect(engine.tokenize(text)).toEqual(prompt_ids);
    const out = await engine.generateText({ prompt: text, maxNewTokens: 32, speculative: { k: 3 } });
    expect(out.tokens).toEqual(greedy_32);
    await engine.dispose();
    // The same text as from the Hugging Face folder (tokenizer.json).
    const folder = createNodeEngine({ cacheDir: join(tmp, 'cache') });
    await folder.load({ target: join(MODELS, 'tiny-target'), device: 'cpu' });
    expect((await folder.generateText({ prompt: text, maxNewTokens: 32 })).text).toBe(out.text);
    await folder.dispose();
  });

  test('a GGUF without a tokenizer in its metadata is a ModelFormatError naming the file', async () => {
    const bytes = modelToGguf(randomModel(SHAPES.llama, 1), {
      dtype: 'f32',
      editMeta: (m) => m.filter((e) => !e.key.startsWith('tokenizer.')),
    });
    const path = join(tmp, 'no-vocab.gguf');
    await writeFile(path, bytes);
    const err = await createNodeEngine({ cacheDir: join(tmp, 'c') }).load({ target: path, device: 'cpu' }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.message).toMatch(/no-vocab\.gguf: no tokenizer\.json, and the GGUF file has no tokenizer in its metadata/);
  });
});
