// The demo page as a user meets it: built once with `vite build` (vite.demo.config.ts), served statically by
// `vite preview`, driven in Debian's Chromium. One page walks through load → generate → stop → side by side
// → reload from cache with the model network blocked; a second browser without the WebGPU flag gets the
// explanation. Each test leaves a screenshot in test-results/.
import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright';
import { launchChromium } from '../test/utils/chromium';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SHOTS = 'test-results';

let server: PreviewServer;
let url: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  await build({ configFile: 'vite.demo.config.ts', logLevel: 'warn' });
  server = await preview({ configFile: 'vite.demo.config.ts', logLevel: 'warn', preview: { port: 0, strictPort: false, open: false } });
  url = server.resolvedUrls!.local[0];
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(p: Page): Promise<void> {
  await p.goto(url);
  await p.waitForSelector('body[data-ready="true"]');
}

/** Fails with the page's own error box when it shows one (a typed error from the engine). */
async function waitOrExplain(p: Page, selector: string, timeout: number): Promise<void> {
  const error = p.locator('#error:not([hidden])');
  const outcome = await Promise.race([
    p.waitForSelector(selector, { timeout }).then(() => 'ok' as const),
    error.waitFor({ timeout }).then(() => 'error' as const),
  ]);
  if (outcome === 'error') throw new Error(`the page shows an error: ${await error.innerText()}`);
}

async function setField(p: Page, selector: string, value: string): Promise<void> {
  await p.fill(selector, value);
}

const stat = (p: Page, name: string, dl = '#stats') => p.locator(`${dl} dt:text-is("${name}") + dd`).innerText();
const tokenCount = (p: Page) => stat(p, 'tokens').then(Number);

describe('demo on the embedded fixture pair', () => {
  it('loads the pair: every progress bar reaches 100%, the cache lists both models', async () => {
    await open(page);
    expect(await page.locator('#gpu-status').getAttribute('data-state')).toBe('ok');
    await page.click('#load');
    await waitOrExplain(page, '#load-status[data-state="ready"]', 90_000);
    const groups = page.locator('.progress-group');
    expect(await groups.count()).toBe(2);
    const percents = await page.locator('.file-progress').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.percent));
    expect(percents.length).toBeGreaterThan(4);
    expect(percents.every((p) => p === '100')).toBe(true);
    await page.waitForFunction(() => document.querySelectorAll('#cache-list li').length === 2, undefined, { timeout: 10_000 });
    const info = await page.locator('#model-info').innerText();
    expect(info).toContain('tiny-draft');
    expect(info).toMatch(/device\s+WebGPU/);
    await page.screenshot({ path: `${SHOTS}/demo-1-loaded.png`, fullPage: true });
  });

  it('streams a generation with coloured tokens and statistics; Stop ends the next one early', async () => {
    // Greedy decoding of the tiny target repeats itself, so prompt lookup is sure to have drafts accepted:
    // the output must then show lookup-coloured text next to the target's.
    await setField(page, '#max-tokens', '32');
    await page.selectOption('#drafting', 'prompt-lookup');
    await page.check('input[name="mode"][value="completion"]');
    await setField(page, '#prompt', 'It is a truth universally acknowledged, that');
    await page.click('#generate');
    await waitOrExplain(page, '#stats[data-finish="length"], #stats[data-finish="stop"]', 60_000);
    const kinds = await page.locator('#output .tok').evaluateAll((els) => els.map((e) => e.className));
    expect(kinds.some((k) => /tok-(lookup|mixed)/.test(k))).toBe(true);
    expect(kinds.some((k) => /tok-(target|mixed)/.test(k))).toBe(true);
    const [fromDraft, fromTarget, fromLookup] = (await stat(page, 'draft/target/lookup')).split('/').map(Number);
    expect(fromLookup).toBeGreaterThan(0);
    expect(fromDraft + fromTarget + fromLookup).toBe(await tokenCount(page));
    expect(await stat(page, 'tokens/s')).not.toBe('–');
    await page.screenshot({ path: `${SHOTS}/demo-2-generated.png`, fullPage: true });

    await setField(page, '#max-tokens', '4000');
    await page.click('#generate');
    await page.waitForSelector('#output .tok');
    await page.click('#stop');
    await waitOrExplain(page, '#stats[data-finish="abort"]', 30_000);
    expect(await tokenCount(page)).toBeLessThan(400); // the context (512) would have allowed more
    expect(await page.locator('#generate').isEnabled()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/demo-3-stopped.png`, fullPage: true });
  });

  it('runs plain and speculative side by side and shows the measured speed-up', async () => {
    await setField(page, '#max-tokens', '24');
    await page.selectOption('#drafting', 'model');
    await page.click('#compare');
    await waitOrExplain(page, '#speedup[data-state="done"]', 90_000);
    expect(await page.locator('#speedup').innerText()).toContain('Speed-up ×');
    const speedup = Number(await page.locator('#speedup').getAttribute('data-speedup'));
    expect(speedup).toBeGreaterThan(0);
    for (const side of ['plain', 'spec']) {
      expect(await page.locator(`#compare-${side}-stats`).getAttribute('data-finish')).toMatch(/^(length|stop)$/);
      expect(await page.locator(`#compare-${side} .tok`).count()).toBeGreaterThan(0);
    }
    expect(await page.locator('#compare-plain .tok-draft, #compare-plain .tok-mixed').count()).toBe(0);
    expect(await stat(page, 'acceptance', '#compare-spec-stats')).toMatch(/%$/); // the draft model did draft
    await page.locator('#compare-panel').screenshot({ path: `${SHOTS}/demo-4-side-by-side.png` });
  });

  it('reloads and loads the pair from the cache with the model network blocked', async () => {
    const blocked: string[] = [];
    await context.route('**/models/**', (route) => {
      blocked.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    await open(page);
    const reachable = await page.evaluate(() => fetch('./models/tiny-target/config.json').then(() => true, () => false));
    expect(reachable).toBe(false); // the block works
    await page.click('#load');
    await waitOrExplain(page, '#load-status[data-state="ready"]', 90_000);
    await setField(page, '#max-tokens', '8');
    await page.click('#generate');
    await waitOrExplain(page, '#stats[data-finish="length"], #stats[data-finish="stop"]', 60_000);
    expect(await tokenCount(page)).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/demo-5-offline-reload.png`, fullPage: true });
    await context.unroute('**/models/**');
    expect(pageErrors.filter((e) => !/net::ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e))).toEqual([]);
  });

  it('loads a Q8_0 GGUF target from local files (no draft) and generates with prompt lookup', async () => {
    const dir = 'public/models/tiny-target';
    const files = ['tiny-target-q8_0.gguf', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json'];
    await page.selectOption('#source-kind', 'files');
    await page.setInputFiles('#target-files', files.map((f) => `${dir}/${f}`));
    await page.click('#load');
    await waitOrExplain(page, '#load-status[data-state="ready"]', 60_000);
    expect(await page.locator('#model-info').innerText()).toMatch(/draft\s+none/);
    await page.selectOption('#drafting', 'prompt-lookup');
    await setField(page, '#max-tokens', '8');
    await page.click('#generate');
    await waitOrExplain(page, '#stats[data-finish="length"], #stats[data-finish="stop"]', 60_000);
    expect(await tokenCount(page)).toBeGreaterThan(0);
    await page.selectOption('#source-kind', 'preset');
  });

  it("checks a preset against the adapter's limits before downloading", async () => {
    await page.selectOption('#preset', 'llama3.2');
    const note = await page.locator('#preset-note').innerText();
    // Llama 3.2 3B's embedding (128256 x 3072) is expanded to f32 on the GPU today: 1.58 GB in one binding.
    const limit = await page.evaluate(async () => (await navigator.gpu.requestAdapter())!.limits.maxStorageBufferBindingSize);
    if (128256 * 3072 * 4 > limit) {
      expect(note).toContain('Too big for this GPU');
      expect(await page.locator('#preset-note').getAttribute('data-support')).toBe('unsupported');
    } else {
      expect(note).toContain('On this GPU: about');
    }
    await page.screenshot({ path: `${SHOTS}/demo-6-too-big.png` });
    await page.selectOption('#preset', 'fixture');
    expect(await page.locator('#preset-note').innerText()).toContain('On this GPU: about');
  });

  it('has a label on every control and fits a phone-width screen without horizontal scrolling', async () => {
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLInputElement>('input, select, textarea, button')]
        .filter((el) => (el.labels?.length ?? 0) === 0 && !el.getAttribute('aria-label') && !el.textContent?.trim())
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/demo-7-phone.png`, fullPage: true });
  });
});

describe('demo without WebGPU', () => {
  it('explains which browsers and flags work, and still runs the tiny pair on the CPU reference', async () => {
    const plain = await launchChromium({ webgpu: false });
    try {
      const p = await plain.newPage({ viewport: { width: 1280, height: 900 } });
      await open(p);
      const notice = p.locator('#no-webgpu');
      await notice.waitFor({ state: 'visible', timeout: 10_000 });
      const text = await notice.innerText();
      expect(text).toContain('Chrome or Edge 113+');
      expect(text).toContain('enable-unsafe-webgpu');
      // What is left: the CPU reference, enough for the embedded pair.
      expect(await p.locator('#device').inputValue()).toBe('cpu');
      expect(await p.locator('#device option[value="webgpu"]').isDisabled()).toBe(true);
      await p.click('#load');
      await waitOrExplain(p, '#load-status[data-state="ready"]', 60_000);
      expect(await p.locator('#model-info').innerText()).toMatch(/device\s+CPU reference/);
      await p.screenshot({ path: `${SHOTS}/demo-8-no-webgpu.png`, fullPage: true });
    } finally {
      await plain.close();
    }
  });
});

describe('demo errors', () => {
  it('explains a full storage quota, a failed download and an unsupported weight type in the page', async () => {
    const b = await launchChromium();
    try {
      const ctx = await b.newContext({ viewport: { width: 1280, height: 900 } });
      const p = await ctx.newPage();
      const cdp = await ctx.newCDPSession(p);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(url).origin, quotaSize: 2_000_000 });
      await open(p);
      await p.click('#load'); // the fixture pair is ~9.5 MB
      await p.waitForSelector('#error:not([hidden])', { timeout: 30_000 });
      expect(await p.locator('#error').getAttribute('data-code')).toBe('quota');
      expect(await p.locator('#error').innerText()).toContain('Not enough storage');
      expect(await p.locator('#load-status').getAttribute('data-state')).toBe('error');
      await p.screenshot({ path: `${SHOTS}/demo-9-quota.png`, fullPage: true });

      await p.click('#error-dismiss');
      await p.selectOption('#source-kind', 'urls');
      await p.fill('#target-url', `${url}models/no-such-model/`);
      await p.click('#load');
      await p.waitForSelector('#error:not([hidden])', { timeout: 30_000 });
      expect(await p.locator('#error').getAttribute('data-code')).toBe('download');
      expect(await p.locator('#error-message').innerText()).toContain('no-such-model');
      await p.screenshot({ path: `${SHOTS}/demo-10-download-error.png` });

      // A GGUF with a tensor type the runtime does not decode (Q2_K): the fixture with one tensor relabelled.
      await p.click('#error-dismiss');
      await p.selectOption('#source-kind', 'files');
      const dir = 'public/models/tiny-target';
      await p.setInputFiles('#target-files', [
        { name: 'tiny-target-q2_k.gguf', mimeType: 'application/octet-stream', buffer: withTensorType(await readFile(`${dir}/tiny-target-q8_0.gguf`), 'blk.0.attn_q.weight', 10) },
        ...['tokenizer.json', 'tokenizer_config.json'].map((f) => `${dir}/${f}`),
      ].map((f) => (typeof f === 'string' ? { name: basename(f), mimeType: 'application/json', buffer: readFileSync(f) } : f)));
      await p.click('#load');
      await p.waitForSelector('#error:not([hidden])', { timeout: 30_000 });
      expect(await p.locator('#error').getAttribute('data-code')).toBe('unsupported-dtype');
      expect(await p.locator('#error-message').innerText()).toContain('blk.0.attn_q.weight has type Q2_K');
      await p.screenshot({ path: `${SHOTS}/demo-11-unsupported-dtype.png` });
    } finally {
      await b.close();
    }
  });
});

/** A GGUF with one tensor's ggml type changed in its header (the data stays: the type is refused first). */
function withTensorType(gguf: Buffer, tensor: string, ggmlType: number): Buffer {
  const out = Buffer.from(gguf);
  const at = out.indexOf(Buffer.from(tensor));
  if (at < 0) throw new Error(`${tensor} not in the GGUF header`);
  const dims = out.readUInt32LE(at + tensor.length);
  out.writeUInt32LE(ggmlType, at + tensor.length + 4 + 8 * dims); // name, n_dims, ne[n_dims] (u64), type
  return out;
}
