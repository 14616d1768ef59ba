/**
 * The WebGPU Transformer in headless Chromium, inside a module Web Worker (SwiftShader via
 * --enable-unsafe-webgpu), served by a Vite dev server: the fixture target must greedy-decode its
 * golden tokens there too, and its logits must equal Node's (Dawn) ones.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright';
import { launchChromium } from '../../test/utils/chromium';
import type { ViteDevServer } from 'vite';
import { startTestVite } from '../../test/utils/vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext, expectClose } from '../kernels/testing';
import { loadModelPath } from './load-node';
import { Transformer } from './transformer';

const FIXTURE = 'public/models/tiny-target';
const STEPS = 24;

let vite: ViteDevServer;
let browser: Browser;

beforeAll(async () => {
  vite = await startTestVite({ cacheDir: join(tmpdir(), 'foresight-transformer-browser-vite') });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await vite?.close();
});

describe('Transformer in headless Chromium (Web Worker, WebGPU)', () => {
  it('greedy-decodes the fixture target’s golden tokens and matches Node’s logits', async () => {
    const golden = JSON.parse(readFileSync(`${FIXTURE}/golden.json`, 'utf8'));
    const { prompt_ids: promptIds, greedy_64: greedy } = golden.cases[0] as { prompt_ids: number[]; greedy_64: number[] };
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${vite.resolvedUrls!.local[0]}models/tiny-target/config.json`); // any same-origin page
    const job = { folder: '/models/tiny-target', promptIds, steps: STEPS };
    // A string, so vitest's transform does not rewrite what runs in the page.
    const result = await page.evaluate(`new Promise((resolve) => {
      const w = new Worker('/src/model/transformer.browser-worker.ts', { type: 'module' });
      w.onmessage = (e) => resolve(e.data);
      w.onerror = (e) => resolve({ error: { message: e.message } });
      w.postMessage(${JSON.stringify(job)});
    })`);
    const r = result as { tokens?: number[]; lastLogits?: number[]; adapter?: { kind: string }; error?: unknown };
    expect(r.error, JSON.stringify(r.error)).toBeUndefined();
    expect(errors).toEqual([]);
    expect(r.adapter?.kind).toBe('swiftshader');
    expect(r.tokens).toEqual(greedy.slice(0, STEPS));

    // The same pass in Node (Dawn) gives the same logits.
    const model = await Transformer.load(await testContext(), await loadModelPath(FIXTURE), { maxLength: promptIds.length + STEPS });
    await model.forward([...promptIds, ...greedy.slice(0, STEPS - 1)], 0);
    const node = await model.forward([greedy[STEPS - 1]], promptIds.length + STEPS - 1);
    expectClose(r.lastLogits!, node.subarray(0, 8), { atol: 1e-4, rtol: 1e-4, label: 'browser vs node logits' });
    model.dispose();
  });
});

