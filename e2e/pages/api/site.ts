/**
 * The site e2e/api.test.ts drives: Foresight built (`npm run build`), packed (`npm pack`), installed
 * offline into a fresh Vite app (e2e/fixtures/vite-app) that is type-checked and built, and served with
 * the fixture model pair (public/models), next to a second origin playing the CDN that serves dist/ as published.
 *
 *   site origin  /app/index.html            the Vite app (npm import, worker bundled by the app's build)
 *                /script/index.html         <script src="CDN/foresight.iife.js"> (window.Foresight)
 *                /cdn-esm/index.html        import from "CDN/foresight.js" (no bundler, cross-origin worker)
 *                /models/tiny-target/, /models/tiny-draft/   the fixture pair's Hugging Face folders
 *   cdn origin   /foresight.iife.js, /foresight.js, /worker.js ...   (dist/, with CORS)
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright';
import { launchChromium } from '../../../test/utils/chromium';
import { startTestServer, type TestServer } from '../../../test/server/index';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const PAGES = resolve(import.meta.dirname, '..');

export interface ApiSite {
  browser: Browser;
  siteUrl: string;
  cdnUrl: string;
  /** Model folder URLs (ending in /). */
  target: string;
  draft: string;
  /** Files of the app's build output, to check the worker was bundled. */
  appAssets: string[];
  timings: Record<string, number>;
  close(): Promise<void>;
}

/** The Hugging Face files of a fixture model (its GGUF variants are left out: the folder loader does not read them). */
const HF_FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'model.safetensors'];

async function copyModel(name: string, site: string): Promise<void> {
  await mkdir(join(site, 'models', name), { recursive: true });
  for (const file of HF_FILES) await cp(join(ROOT, 'public/models', name, file), join(site, 'models', name, file));
}

async function timed<T>(timings: Record<string, number>, name: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await work();
  } finally {
    timings[name] = Math.round(performance.now() - t0);
  }
}

export async function startApiSite(): Promise<ApiSite> {
  const timings: Record<string, number> = {};
  const tmp = await mkdtemp(join(tmpdir(), 'foresight-api-e2e-'));
  const site = join(tmp, 'site');
  const app = join(tmp, 'app');
  const node = process.execPath;
  const bin = (pkg: string, file: string) => join(ROOT, 'node_modules', pkg, file);

  await timed(timings, 'build', () => run('npm', ['run', 'build', '--silent'], { cwd: ROOT }));
  const packed = await timed(timings, 'pack', () => run('npm', ['pack', '--silent', '--pack-destination', tmp], { cwd: ROOT }));
  const tarball = join(tmp, packed.stdout.trim().split('\n').at(-1) as string);

  await cp(join(ROOT, 'e2e/fixtures/vite-app'), app, { recursive: true });
  await timed(timings, 'install', () =>
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball], { cwd: app }),
  );
  await timed(timings, 'app typecheck', () => run(node, [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.json'], { cwd: app }));
  await timed(timings, 'app build', () => run(node, [bin('vite', 'bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: app }));
  await cp(join(app, 'dist'), join(site, 'app'), { recursive: true });

  await copyModel('tiny-target', site);
  await copyModel('tiny-draft', site);

  const cdn = await startTestServer({ root: join(ROOT, 'dist') });
  const page = async (name: string) => (await readFile(join(PAGES, name, 'index.html'), 'utf8')).replaceAll('__CDN__', cdn.url);
  const server: TestServer = await startTestServer({
    root: site,
    files: { '/script/index.html': await page('api-script'), '/cdn-esm/index.html': await page('api-cdn-esm') },
  });
  const browser = await launchChromium();
  return {
    browser,
    siteUrl: server.url,
    cdnUrl: cdn.url,
    target: `${server.url}/models/tiny-target/`,
    draft: `${server.url}/models/tiny-draft/`,
    appAssets: await readdir(join(site, 'app/assets')),
    timings,
    async close() {
      await browser.close();
      await server.close();
      await cdn.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
