/**
 * The decoding layer in headless Chromium: the same scenarios as in Node (testing/scenarios.ts),
 * served by a Vite dev server. Greedy speculative output must equal plain greedy in the browser too,
 * and every result (PRNG stream, greedy and seeded sampled tokens) must equal Node's.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright';
import { launchChromium } from '../../test/utils/chromium';
import type { ViteDevServer } from 'vite';
import { startTestVite } from '../../test/utils/vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeScenarios, type ScenarioResults } from './testing/scenarios';

let vite: ViteDevServer;
let browser: Browser;

beforeAll(async () => {
  vite = await startTestVite({ cacheDir: join(tmpdir(), 'foresight-decode-browser-vite') });
  browser = await launchChromium({ webgpu: false });
});

afterAll(async () => {
  await browser?.close();
  await vite?.close();
});

describe('decoding in headless Chromium', () => {
  it('greedy speculative equals plain greedy, and every result equals Node’s', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${vite.resolvedUrls!.local[0]}src/decode/prng.ts`); // any same-origin page will do
    // a string, so vitest's transform does not rewrite the page's import()
    const inBrowser: ScenarioResults = await page.evaluate(
      `import('/src/decode/testing/scenarios.ts').then((m) => m.decodeScenarios())`,
    );
    expect(errors).toEqual([]);
    for (const [mode, tokens] of Object.entries(inBrowser.greedy)) expect(tokens, mode).toEqual(inBrowser.greedyPlain);
    expect(Object.keys(inBrowser.greedy)).toEqual(['k=1', 'k=2', 'k=4', 'k=8', 'lookup', 'auto']);
    expect(inBrowser).toEqual(await decodeScenarios());
  });
});

