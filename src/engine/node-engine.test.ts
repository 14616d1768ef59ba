/**
 * The Engine in Node on the fixture pair (public/models), through the real loader: local folders read in
 * place, or HTTP through the directory cache; models on the CPU reference and on WebGPU (Dawn).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../../test/server/index';
import { ModelFormatError, PairingError } from '../errors';
import { createNodeEngine } from './node-engine';

const MODELS = join(import.meta.dirname, '../../public/models');
const target = join(MODELS, 'tiny-target');
const draft = join(MODELS, 'tiny-draft');
const golden = JSON.parse(await readFile(join(target, 'golden.json'), 'utf8')) as {
  cases: Array<{ text: string; prompt_ids: number[]; greedy_32: number[] }>;
};

let tmp: string;
let server: TestServer;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'foresight-node-engine-'));
  server = await startTestServer({ root: MODELS });
});
afterAll(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('createNodeEngine (fixture pair)', () => {
  test('local folders: speculative greedy output is the target’s golden greedy output, streamed', async () => {
    const engine = createNodeEngine({ cacheDir: join(tmp, 'cache-local') });
    const info = await engine.load({ target, draft, device: 'cpu' });
    expect(info).toMatchObject({ device: 'cpu', vocabSize: 2048, contextLength: 512, drafting: 'model', eosTokenIds: [2, 5] });
    const { text, greedy_32 } = golden.cases[1];
    let streamed = '';
    const tokens: number[] = [];
    let steps = 0;
    for await (const chunk of engine.generate({ prompt: text, maxNewTokens: 32, speculative: { k: 4 } })) {
      streamed += chunk.text;
      tokens.push(...chunk.tokens);
      steps++;
    }
    expect(tokens).toEqual(greedy_32);
    expect(steps).toBeGreaterThan(2);
    expect((await engine.generateText({ prompt: text, maxNewTokens: 32, drafting: 'none' })).text).toBe(streamed);
    await engine.dispose();
  });

  test('on WebGPU (Dawn): the same golden tokens, with speculative decoding', async () => {
    const engine = createNodeEngine({ cacheDir: join(tmp, 'cache-gpu') });
    expect(await engine.load({ target, draft })).toMatchObject({ device: 'webgpu' });
    const { text, greedy_32 } = golden.cases[0];
    expect((await engine.generateText({ prompt: text, maxNewTokens: 32, speculative: { k: 3 } })).tokens).toEqual(greedy_32);
    await engine.dispose();
  });

  test('over HTTP through the directory cache; a second engine loads from the cache', async () => {
    const dir = join(tmp, 'cache-http');
    const first = createNodeEngine({ cacheDir: dir });
    await first.load({ target: `${server.url}/tiny-draft/`, device: 'cpu' });
    const a = await first.generateText({ prompt: golden.cases[0].text, maxNewTokens: 8 });
    const requests = server.stats.requests;
    const second = createNodeEngine({ cacheDir: dir });
    await second.load({ target: `${server.url}/tiny-draft/`, device: 'cpu' });
    expect(server.stats.requests).toBe(requests); // nothing fetched again
    expect((await second.generateText({ prompt: golden.cases[0].text, maxNewTokens: 8 })).tokens).toEqual(a.tokens);
  });

  test('a draft whose vocabulary differs is refused with a PairingError naming the token', async () => {
    const odd = join(tmp, 'odd-draft');
    await cp(draft, odd, { recursive: true });
    const tok = JSON.parse(await readFile(join(odd, 'tokenizer.json'), 'utf8'));
    const [word, id] = Object.entries(tok.model.vocab as Record<string, number>).find(([, i]) => i === 700) as [string, number];
    delete tok.model.vocab[word];
    tok.model.vocab['▁zzzz'] = id;
    await writeFile(join(odd, 'tokenizer.json'), JSON.stringify(tok));
    const engine = createNodeEngine({ cacheDir: join(tmp, 'cache-odd') });
    const err = await engine.load({ target, draft: odd, device: 'cpu' }).catch((e) => e);
    expect(err).toBeInstanceOf(PairingError);
    expect(err.message).toMatch(/token 700/);
    expect(engine.info()).toBeUndefined();
  });

  test('a folder without tokenizer.json is a typed ModelFormatError naming the model', async () => {
    const bare = join(tmp, 'bare');
    await cp(draft, bare, { recursive: true });
    await rm(join(bare, 'tokenizer.json'));
    const err = await createNodeEngine({ cacheDir: join(tmp, 'c') }).load({ target: bare, device: 'cpu' }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.message).toMatch(/bare: tokenizer.json not found/);
  });
});
