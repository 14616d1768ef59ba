/**
 * The page-facing API end to end, in Debian's Chromium: the library built, packed, installed into a
 * fresh Vite app from its tarball (npm import), and loaded by a script tag from another origin (CDN),
 * each streaming generations from the fixture pair (public/models/tiny-target + tiny-draft) through the
 * default worker: IndexedDB cache → safetensors parser → WebGPU Transformer (SwiftShader here) →
 * speculative decoder → text.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright';
import { startApiSite, type ApiSite } from './pages/api/site';

let site: ApiSite;

/** The target's own greedy continuations (public/models/tiny-target/golden.json, from its training pipeline). */
const golden = JSON.parse(readFileSync(new URL('../public/models/tiny-target/golden.json', import.meta.url), 'utf8')) as {
  cases: Array<{ text: string; prompt_ids: number[]; greedy_32: number[] }>;
};

beforeAll(async () => {
  site = await startApiSite();
  console.log('api e2e setup (ms):', site.timings);
}, 240_000);

afterAll(async () => {
  await site?.close();
});

/** In the page: the library's namespace (`window.foresight` for imports, `window.Foresight` for the script tag). */
type Lib = typeof import('../src/client/api');
type PageWindow = Window & Record<string, unknown> & { engine: import('../src/client/api').WorkerEngine };

const PAGES = [
  { kind: 'npm import (Vite app)', path: '/app/index.html', lib: 'foresight' },
  { kind: 'script tag from a CDN', path: '/script/index.html', lib: 'Foresight' },
] as const;

async function openPage(path: string, lib: string, device: 'webgpu' | 'cpu' = 'webgpu'): Promise<Page> {
  const page = await site.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(site.siteUrl + path);
  await page.waitForFunction(() => document.title === 'ready' || document.title === 'missing', undefined, { timeout: 15_000 });
  expect(errors).toEqual([]);
  await page.evaluate(
    async ({ lib, target, draft, device }) => {
      const F = (window as unknown as Record<string, Lib>)[lib];
      const engine = await F.createEngine();
      const progress: number[] = [];
      await engine.load({ target, draft, device, onProgress: (p) => progress.push(p.overall.bytesDone) });
      Object.assign(window, { engine, progress });
    },
    { lib, target: site.target, draft: site.draft, device },
  );
  return page;
}

describe.each(PAGES)('$kind', ({ path, lib }) => {
  let page: Page;
  beforeAll(async () => {
    page = await openPage(path, lib);
  }, 60_000);
  afterAll(async () => {
    await page?.close();
  });

  test('streams a generation: several chunks before the end, text equal to the non-streamed result, tokens equal to the golden greedy ones', async () => {
    const { text, greedy_32 } = golden.cases[0];
    const r = await page.evaluate(async (prompt) => {
      const { engine, progress } = window as unknown as PageWindow & { progress: number[] };
      const options = { prompt, maxNewTokens: 32, speculative: { k: 3 } };
      const chunks = [];
      for await (const c of engine.generate(options)) chunks.push(c);
      const whole = await engine.generateText(options);
      return { chunks, whole, info: engine.info(), progressEvents: progress.length };
    }, text);
    expect(r.info).toMatchObject({ device: 'webgpu', drafting: 'model', hasChatTemplate: true, vocabSize: 2048, contextLength: 512, eosTokenIds: [2, 5] });
    expect(r.progressEvents).toBeGreaterThan(0);
    const beforeEnd = r.chunks.filter((c) => !c.finishReason);
    expect(beforeEnd.length).toBeGreaterThan(1);
    expect(r.chunks.at(-1)?.finishReason).toBeDefined();
    expect(r.chunks.map((c) => c.text).join('')).toBe(r.whole.text);
    expect(r.chunks.flatMap((c) => c.tokens)).toEqual(r.whole.tokens);
    expect(r.whole.tokens).toEqual(greedy_32); // speculative decoding at temperature 0 is the target's greedy output
    expect(r.whole.stats.drafted).toBeGreaterThan(0);
    expect(r.chunks.flatMap((c) => c.provenance).every((p) => p === 'draft' || p === 'target')).toBe(true);
  });

  test('break stops the generation; an AbortSignal ends it with finish reason abort', async () => {
    const r = await page.evaluate(async () => {
      const { engine } = window as unknown as PageWindow;
      let seen = 0;
      for await (const _ of engine.generate({ prompt: 'the cat', maxNewTokens: 100, drafting: 'none' })) if (++seen === 2) break;
      const after = await engine.generateText({ prompt: 'the cat', maxNewTokens: 3, drafting: 'none' });
      const controller = new AbortController();
      const aborted = [];
      for await (const c of engine.generate({ prompt: 'the cat', maxNewTokens: 100, drafting: 'none', signal: controller.signal })) {
        aborted.push(c);
        if (aborted.length === 2) controller.abort();
      }
      return { after, aborted: aborted.map((c) => ({ finishReason: c.finishReason, tokens: c.tokens.length })) };
    });
    expect(r.after.tokens).toHaveLength(3);
    expect(r.aborted.at(-1)?.finishReason).toBe('abort');
    expect(r.aborted.reduce((n, c) => n + c.tokens, 0)).toBeLessThan(10);
  });

  test('typed errors cross the worker boundary with their class and code', async () => {
    const r = await page.evaluate(async (lib) => {
      const F = (window as unknown as Record<string, Lib>)[lib];
      const { engine } = window as unknown as PageWindow;
      const tooLong = await engine.generateText({ prompt: 'the cat '.repeat(300) }).catch((e) => e);
      const badOption = await engine.generateText({ prompt: 'x', temperature: -1 }).catch((e) => e);
      const describe = (e: InstanceType<Lib['ForesightError']>) => ({
        isForesight: e instanceof F.ForesightError,
        isInvalidArgument: e instanceof F.InvalidArgumentError,
        name: e.name,
        code: e.code,
        message: e.message,
      });
      return { tooLong: describe(tooLong), badOption: describe(badOption) };
    }, lib);
    expect(r.tooLong).toMatchObject({ isForesight: true, isInvalidArgument: true, name: 'InvalidArgumentError', code: 'context-length' });
    expect(r.tooLong.message).toMatch(/context holds 512/);
    expect(r.badOption).toMatchObject({ isInvalidArgument: true, code: 'invalid-argument' });
    expect(r.badOption.message).toMatch(/temperature/);
  });

  test('two concurrent generations are queued and both finish, each as if alone', async () => {
    const r = await page.evaluate(async () => {
      const { engine } = window as unknown as PageWindow;
      const a = { prompt: 'once upon a time', maxNewTokens: 12 };
      const b = { prompt: 'hello world', maxNewTokens: 12, temperature: 1, seed: 3 };
      const alone = [await engine.generateText(a), await engine.generateText(b)];
      const together = await Promise.all([engine.generateText(a), engine.generateText(b)]);
      return { alone: alone.map((x) => x.tokens), together: together.map((x) => x.tokens) };
    });
    expect(r.together).toEqual(r.alone);
    expect(r.together[0]).toHaveLength(12);
  });

  test('chat completion over the chat template, streamed and not', async () => {
    const r = await page.evaluate(async () => {
      const { engine } = window as unknown as PageWindow;
      const messages = [{ role: 'user', content: 'hello' }];
      const stream = await engine.chat.completions.create({ messages, stream: true, max_tokens: 10 });
      const chunks = [];
      for await (const c of stream) chunks.push(c);
      const whole = await engine.chat.completions.create({ messages, max_tokens: 10 });
      return { chunks, whole };
    });
    const content = r.chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(r.chunks[0].object).toBe('chat.completion.chunk');
    expect(r.chunks[0].choices[0].delta.role).toBe('assistant');
    expect(r.chunks.at(-1)?.usage?.completion_tokens).toBe(10);
    // The prompt went through the template: ChatML markers make it longer than the message.
    expect(r.whole.usage.prompt_tokens).toBeGreaterThan(8);
    expect(r.whole.choices[0].message.content).toBe(content);
  });

  test('after a reload with the model server blocked, the pair loads from IndexedDB and generates the same tokens', async () => {
    const { text, greedy_32 } = golden.cases[0];
    const modelOrigin = new URL(site.target).origin;
    const blocked: string[] = [];
    await page.context().route(`${modelOrigin}/models/**`, (route) => {
      blocked.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    try {
      await page.reload();
      await page.waitForFunction(() => document.title === 'ready' || document.title === 'missing', undefined, { timeout: 15_000 });
      const r = await page.evaluate(
        async ({ lib, target, draft, prompt }) => {
          const F = (window as unknown as Record<string, Lib>)[lib];
          const reachable = await fetch(`${target}config.json`).then(() => true, () => false);
          const engine = await F.createEngine();
          Object.assign(window, { engine });
          await engine.load({ target, draft });
          const whole = await engine.generateText({ prompt, maxNewTokens: 32, speculative: { k: 3 } });
          return { reachable, tokens: whole.tokens };
        },
        { lib, target: site.target, draft: site.draft, prompt: text },
      );
      expect(r.reachable).toBe(false); // the block works
      expect(blocked.length).toBeGreaterThan(0);
      expect(r.tokens).toEqual(greedy_32);
    } finally {
      await page.context().unroute(`${modelOrigin}/models/**`);
    }
  });
});

test('the Vite app bundled the worker into its own build', () => {
  expect(site.appAssets.some((f) => /^worker-.*\.js$/.test(f))).toBe(true);
});

test('ESM build from a CDN (no bundler): the cross-origin worker starts through a same-origin blob; CPU device', async () => {
  const page = await openPage('/cdn-esm/index.html', 'foresight', 'cpu');
  try {
    const { text, greedy_32 } = golden.cases[0];
    const r = await page.evaluate(async (prompt) => {
      const { engine } = window as unknown as PageWindow;
      return { info: engine.info(), result: await engine.generateText({ prompt, maxNewTokens: 8, drafting: 'none' }) };
    }, text);
    expect(r.info?.device).toBe('cpu');
    expect(r.result.tokens).toEqual(greedy_32.slice(0, 8));
  } finally {
    await page.close();
  }
});

test('dispose during a generation ends it with AbortError("disposed"); a broken worker URL fails typed', async () => {
  const page = await openPage('/script/index.html', 'Foresight');
  try {
    const r = await page.evaluate(async () => {
      const F = (window as unknown as { Foresight: Lib }).Foresight;
      const { engine } = window as unknown as PageWindow;
      let n = 0;
      const err = await (async () => {
        for await (const _ of engine.generate({ prompt: 'the cat', maxNewTokens: 100 })) if (++n === 2) void engine.dispose();
      })().catch((e) => e);
      const later = await engine.generateText({ prompt: 'x' }).catch((e) => e);
      const bad = await F.createEngine({ worker: new Worker('/nowhere.js') }).catch((e) => e);
      return {
        err: { isAbort: err instanceof F.AbortError, code: err?.code },
        later: later?.code,
        bad: { isForesight: bad instanceof F.ForesightError, message: bad?.message },
      };
    });
    expect(r.err).toEqual({ isAbort: true, code: 'disposed' });
    expect(r.later).toBe('disposed');
    expect(r.bad.isForesight).toBe(true);
    expect(r.bad.message).toMatch(/failed to start/);
  } finally {
    await page.close();
  }
});
