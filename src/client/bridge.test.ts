/**
 * The worker bridge in Node: the host (exposeEngine) and the page side (WorkerEngine) talk over a real
 * MessageChannel, with structured cloning and Comlink exactly as between a page and a worker.
 * The browser builds are tested end to end in e2e/api*.test.ts.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Engine } from '../engine/engine';
import { ngramLoader } from '../engine/testing/ngram-loader';
import type { GenerateChunk } from '../engine/types';
import { AbortError, InvalidArgumentError } from '../errors';
import { exposeEngine } from '../worker/host';
import { whenReady } from './spawn';
import { WorkerEngine } from './worker-engine';

const open: MessagePort[] = [];

/** A page-side engine whose "worker" is the other end of a MessageChannel. */
async function connect(maxLength = 256): Promise<{ page: WorkerEngine; engine: Engine }> {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const engine = new Engine(ngramLoader({ maxLength }));
  exposeEngine(engine, port1);
  const worker = Object.assign(port2, { terminate: () => port2.close() }) as unknown as Worker;
  port2.start();
  await whenReady(worker, 5000);
  return { page: new WorkerEngine(worker), engine };
}

afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

const prompt = 'once upon a time';

/** Fails fast instead of hanging when a broken bridge never answers. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);
}

describe('worker bridge (MessageChannel)', () => {
  test('streams chunk by chunk; the text equals the in-process result', async () => {
    const { page } = await connect();
    const info = await page.load({ target: 'test:llama', draft: 'test:llama' });
    expect(info).toMatchObject({ drafting: 'model', hasChatTemplate: true, vocabSize: 341 });
    const chunks: GenerateChunk[] = [];
    for await (const c of page.generate({ prompt: 'the café sold', maxNewTokens: 30 })) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(2);
    const local = new Engine(ngramLoader());
    await local.load({ target: 'test:llama', draft: 'test:llama' });
    const expected = await local.generateText({ prompt: 'the café sold', maxNewTokens: 30 });
    expect(chunks.map((c) => c.text).join('')).toBe(expected.text);
    expect(chunks.flatMap((c) => c.tokens)).toEqual(expected.tokens);
    expect(chunks.at(-1)?.stats.drafted).toBeGreaterThan(0);
  });

  test('typed errors keep their class, code and message across the boundary', async () => {
    const { page } = await connect(16);
    await page.load({ target: 'test:llama' });
    const err = await page.generateText({ prompt: 'the cat '.repeat(20) }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.code).toBe('context-length');
    expect(err.message).toMatch(/context holds 16/);
    const bad = await page.load({ target: 'nope' }).catch((e) => e);
    expect(bad).toBeInstanceOf(InvalidArgumentError);
    expect(bad.message).toMatch(/test:llama/);
  });

  test('break stops the generation in the worker at once: the next one starts immediately', async () => {
    const { page } = await connect();
    await page.load({ target: 'test:llama?delay=20' });
    let n = 0;
    for await (const _ of page.generate({ prompt, maxNewTokens: 200 })) if (++n === 2) break;
    const t0 = performance.now();
    const r = await within(2000, page.generateText({ prompt, maxNewTokens: 1 }));
    expect(r.tokens).toHaveLength(1);
    expect(performance.now() - t0).toBeLessThan(2000); // the 200-token run would hold the engine for > 4 s (loose: CI machines are shared)
  });

  test('an AbortSignal is forwarded: the stream ends with finish reason abort', async () => {
    const { page } = await connect();
    await page.load({ target: 'test:llama?delay=20' });
    const controller = new AbortController();
    const chunks: GenerateChunk[] = [];
    const t0 = performance.now();
    for await (const c of page.generate({ prompt, maxNewTokens: 200, signal: controller.signal })) {
      chunks.push(c);
      if (chunks.length === 2) controller.abort();
    }
    expect(chunks.at(-1)?.finishReason).toBe('abort');
    expect(chunks.length).toBeLessThanOrEqual(4);
    expect(performance.now() - t0).toBeLessThan(3000); // 200 steps would take > 4 s
  });

  test('two concurrent generations are queued and both complete', async () => {
    const { page } = await connect();
    await page.load({ target: 'test:llama?delay=2' });
    const alone = await page.generateText({ prompt: 'the café', maxNewTokens: 12 });
    const [a, b] = await Promise.all([
      page.generateText({ prompt, maxNewTokens: 12 }),
      page.generateText({ prompt: 'the café', maxNewTokens: 12 }),
    ]);
    expect(a.tokens).toHaveLength(12);
    expect(b.text).toBe(alone.text);
  });

  test('chat completions through the worker, streamed and not', async () => {
    const { page } = await connect();
    await page.load({ target: 'test:byte-level' });
    const messages = [{ role: 'user', content: 'hello' }];
    const stream = await page.chat.completions.create({ messages, stream: true, max_tokens: 8 });
    let content = '';
    let usage;
    for await (const c of stream) {
      content += c.choices[0]?.delta.content ?? '';
      usage = c.usage ?? usage;
    }
    expect(usage).toMatchObject({ completion_tokens: 8 });
    const whole = await page.chat.completions.create({ messages, max_tokens: 8 });
    expect(whole.choices[0].message.content).toBe(content);
    expect(whole.model).toBe('test:byte-level');
  });

  test('dispose during a generation: the stream rejects with AbortError(disposed), the worker engine is freed', async () => {
    const { page, engine } = await connect();
    await page.load({ target: 'test:llama?delay=20' });
    let n = 0;
    const run = (async () => {
      for await (const _ of page.generate({ prompt, maxNewTokens: 200 })) if (++n === 2) void page.dispose();
    })();
    const err = await run.then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(err.code).toBe('disposed');
    await page.dispose();
    expect(engine.disposed).toBe(true);
    expect(engine.info()).toBeUndefined();
    await expect(page.generateText({ prompt })).rejects.toMatchObject({ code: 'disposed' });
  });
});
