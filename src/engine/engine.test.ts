import { describe, expect, test } from 'vitest';
import { AbortError, ForesightError, InvalidArgumentError } from '../errors';
import type { ChatCompletionChunk } from './chat-completions';
import { Engine } from './engine';
import { ngramLoader } from './testing/ngram-loader';
import type { GenerateChunk, GenerateOptions } from './types';

async function loaded(target = 'test:llama', draft?: string): Promise<Engine> {
  const engine = new Engine(ngramLoader());
  await engine.load({ target, draft });
  return engine;
}

async function collect(it: AsyncIterable<GenerateChunk>): Promise<GenerateChunk[]> {
  const out: GenerateChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

const prompt = 'once upon a time';

describe('Engine (in-process, n-gram test model)', () => {
  test('streams: several chunks, text equals the non-streamed result, greedy recites the corpus', async () => {
    const engine = await loaded();
    const options: GenerateOptions = { prompt, maxNewTokens: 40 };
    const chunks = await collect(engine.generate(options));
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.slice(0, -1).every((c) => c.finishReason === undefined)).toBe(true);
    expect(chunks.at(-1)?.finishReason).toBe('length');
    const streamed = chunks.map((c) => c.text).join('');
    const whole = await engine.generateText(options);
    expect(streamed).toBe(whole.text);
    expect(whole.tokens).toHaveLength(40);
    expect(whole.stats.tokens).toBe(40);
    expect(whole.stats.promptTokens).toBe(5);
    expect(streamed.startsWith(' the cat sat on the mat.')).toBe(true);
  });

  test('multi-byte characters survive streaming, with speculative multi-token steps', async () => {
    const engine = await loaded('test:llama', 'test:llama');
    const options: GenerateOptions = { prompt: 'the café sold', maxNewTokens: 40, speculative: { k: 4 } };
    const chunks = await collect(engine.generate(options));
    const text = chunks.map((c) => c.text).join('');
    expect(text).toContain('crème brûlée for 5 €');
    expect(text).not.toContain('\uFFFD');
    expect(chunks.some((c) => c.tokens.length > 1)).toBe(true);
    const last = chunks.at(-1) as GenerateChunk;
    expect(last.stats.drafted).toBeGreaterThan(0);
    expect(last.stats.accepted).toBeGreaterThan(0);
    expect(chunks.flatMap((c) => c.provenance)).toContain('draft');
    // Each token's text: one piece per token, adding up to the chunk's text.
    for (const c of chunks) {
      if (c.tokens.length > 0) expect(c.pieces).toHaveLength(c.tokens.length);
      expect(c.pieces.join('')).toBe(c.text);
    }
    // Lossless at temperature 0: the same text as plain decoding of the target.
    expect((await engine.generateText({ ...options, drafting: 'none' })).text).toBe(text);
  });

  test('stop strings end the generation before them, across token boundaries', async () => {
    const engine = await loaded('test:byte-level');
    const result = await engine.generateText({ prompt, maxNewTokens: 60, stop: ['mat.', 'never'] });
    expect(result.finishReason).toBe('stop');
    expect(result.text).toBe(' the cat sat on the ');
  });

  test('EOS from generation_config.json ends with finish reason stop; the EOS id is in tokens, not in text', async () => {
    for (const target of ['test:llama', 'test:byte-level']) {
      const engine = await loaded(target);
      const r = await engine.generateText({ prompt: 'upon a time the end', maxNewTokens: 10 });
      expect(r.finishReason).toBe('stop');
      expect(r.text).toBe('.');
      expect(engine.info()?.eosTokenIds).toContain(r.tokens.at(-1));
    }
  });

  test('chat completions over the chat template: stream and non-stream agree; usage and stats at the end', async () => {
    const engine = await loaded('test:llama', 'test:llama');
    const messages = [{ role: 'user', content: 'tell me a story' }];
    const stream = await engine.chat.completions.create({ messages, stream: true, max_tokens: 12, seed: 1 });
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id)).toBe(true);
    const finish = chunks.at(-2);
    expect(finish?.choices[0].finish_reason).toBe('length');
    const usage = chunks.at(-1);
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage?.completion_tokens).toBe(12);
    expect(usage?.stats?.drafted).toBeGreaterThan(0);
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    const whole = await engine.chat.completions.create({ messages, max_tokens: 12, seed: 1 });
    expect(whole.object).toBe('chat.completion');
    expect(whole.choices[0].message.content).toBe(content);
    expect(whole.usage.prompt_tokens).toBe(usage?.usage?.prompt_tokens);
    expect(whole.usage.prompt_tokens).toBeGreaterThan(5);
  });

  test('seeded sampling reproduces; different seeds differ', async () => {
    const engine = await loaded();
    const run = (seed: number) => engine.generateText({ prompt, maxNewTokens: 30, temperature: 1.5, seed });
    const a = await run(7);
    expect((await run(7)).tokens).toEqual(a.tokens);
    const others = await Promise.all([run(8), run(9), run(10)]);
    expect(others.some((o) => o.tokens.join() !== a.tokens.join())).toBe(true);
  });

  test('break stops the generation: the engine is free for the next one at once', async () => {
    const engine = await loaded('test:llama?delay=20');
    let steps = 0;
    for await (const _ of engine.generate({ prompt, maxNewTokens: 200 })) if (++steps === 2) break;
    const t0 = performance.now();
    const r = await engine.generateText({ prompt, maxNewTokens: 1 });
    expect(r.tokens).toHaveLength(1);
    expect(performance.now() - t0).toBeLessThan(2000); // 200 tokens would take > 4 s (loose: CI machines are shared)
  });

  test('an AbortSignal ends the stream with finish reason abort, after the current step', async () => {
    const engine = await loaded('test:llama?delay=20');
    const controller = new AbortController();
    const chunks: GenerateChunk[] = [];
    for await (const c of engine.generate({ prompt, maxNewTokens: 200, signal: controller.signal })) {
      chunks.push(c);
      if (chunks.length === 3) controller.abort();
    }
    expect(chunks.at(-1)?.finishReason).toBe('abort');
    expect(chunks.length).toBeLessThanOrEqual(5);
    // Already aborted: ends at once.
    const pre = await engine.generateText({ prompt, signal: AbortSignal.abort() });
    expect(pre).toMatchObject({ finishReason: 'abort', tokens: [] });
  });

  test('two concurrent generations are queued and both complete, each as if alone', async () => {
    const engine = await loaded('test:llama?delay=5');
    const alone = await engine.generateText({ prompt, maxNewTokens: 15 });
    const other = await engine.generateText({ prompt: 'the café', maxNewTokens: 15 });
    const [a, b] = await Promise.all([
      engine.generateText({ prompt, maxNewTokens: 15 }),
      engine.generateText({ prompt: 'the café', maxNewTokens: 15 }),
    ]);
    expect(a.text).toBe(alone.text);
    expect(b.text).toBe(other.text);
  });

  test('dispose during a generation: AbortError("disposed"), models freed, later calls refused', async () => {
    const engine = await loaded('test:llama?delay=20');
    const queued = engine.generateText({ prompt, maxNewTokens: 5 });
    const running = (async () => {
      let n = 0;
      for await (const _ of engine.generate({ prompt, maxNewTokens: 200 })) if (++n === 2) void engine.dispose();
    })();
    // The first caller in line is `queued`; it runs first, then the long one is disposed mid-way.
    await expect(queued).resolves.toMatchObject({ finishReason: 'length' });
    const err = await running.then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(err.code).toBe('disposed');
    expect(engine.info()).toBeUndefined();
    await expect(engine.generateText({ prompt })).rejects.toMatchObject({ code: 'disposed' });
    await expect(engine.load({ target: 'test:llama' })).rejects.toMatchObject({ code: 'disposed' });
  });

  test('typed errors: no model, bad options, prompt longer than the context', async () => {
    const empty = new Engine(ngramLoader());
    await expect(empty.generateText({ prompt })).rejects.toBeInstanceOf(InvalidArgumentError);
    const engine = new Engine(ngramLoader({ maxLength: 16 }));
    await engine.load({ target: 'test:llama' });
    await expect(engine.generateText({ prompt, messages: [] })).rejects.toThrow(/exactly one of/);
    await expect(engine.generateText({ prompt, maxNewTokens: -1 })).rejects.toThrow(/maxNewTokens/);
    await expect(engine.generateText({ prompt, temperature: -1 })).rejects.toThrow(/temperature/);
    await expect(engine.generateText({ prompt, drafting: 'model' })).rejects.toThrow(/needs a draft model/);
    const long = await engine.generateText({ prompt: 'the cat '.repeat(20) }).catch((e) => e);
    expect(long).toBeInstanceOf(InvalidArgumentError);
    expect(long.code).toBe('context-length');
    await expect(engine.load({ target: 'nope' })).rejects.toBeInstanceOf(ForesightError);
  });

  test('unload frees the models; the engine takes another load; load replaces what was loaded', async () => {
    const disposed: string[] = [];
    const base = ngramLoader();
    const engine = new Engine(async (options, context) => {
      const pair = await base(options, context);
      return { ...pair, dispose: () => (disposed.push(String(options.target)), pair.dispose()) };
    });
    await engine.load({ target: 'test:llama' });
    await engine.load({ target: 'test:byte-level' });
    expect(disposed).toEqual(['test:llama']);
    expect(engine.info()?.target).toBe('test:byte-level');
    await engine.unload();
    expect(disposed).toEqual(['test:llama', 'test:byte-level']);
    expect(engine.info()).toBeUndefined();
    await expect(engine.generateText({ prompt })).rejects.toThrow(/no model is loaded/);
    await engine.load({ target: 'test:llama' });
    expect((await engine.generateText({ prompt, maxNewTokens: 3 })).tokens).toHaveLength(3);
  });

  test('the context fills up: finish reason length', async () => {
    const engine = new Engine(ngramLoader({ maxLength: 12 }));
    await engine.load({ target: 'test:llama' });
    const r = await engine.generateText({ prompt });
    expect(r.finishReason).toBe('length');
    expect(r.stats.promptTokens + r.tokens.length).toBe(12);
  });
});
