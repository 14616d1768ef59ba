/**
 * The demo page: checks for WebGPU, starts the engine (a Web Worker), loads the chosen pair with progress,
 * and hands it to the Generate panel. Every error ends up in the page's error box, explained.
 */
import { createEngine, openBrowserCache, type LoadProgress, type ModelInfo } from 'foresight';
import { CachePanel } from './cache-panel';
import { byId, fillStats } from './dom';
import { explain } from './explain';
import { formatBytes } from './format';
import { GeneratePanel } from './generate-panel';
import { ModelPanel } from './model-panel';
import { ProgressView } from './progress-view';
import { readSettings, wireSettings } from './settings';
import { checkWebGpu } from './webgpu-check';

type Engine = Awaited<ReturnType<typeof createEngine>>;

const loadButton = byId<HTMLButtonElement>('load');
const unloadButton = byId<HTMLButtonElement>('unload');
const loadStatus = byId('load-status');
const progress = new ProgressView(byId('progress'));
const models = new ModelPanel();
const cache = new CachePanel(openBrowserCache(), showError);
const generation = new GeneratePanel({ onError: showError, onBusy: (busy) => setBusy(busy) });
let engine: Promise<Engine> | undefined;
let busy = false;

function showError(err: unknown): void {
  console.error(err);
  const e = explain(err);
  byId('error-title').textContent = e.title;
  byId('error-message').textContent = e.message;
  byId('error-hint').textContent = e.hint;
  const box = byId('error');
  box.dataset.code = e.code;
  box.hidden = false;
  box.scrollIntoView({ block: 'nearest' });
}

function hideError(): void {
  byId('error').hidden = true;
}

function setStatus(state: 'idle' | 'loading' | 'ready' | 'error', text: string): void {
  loadStatus.dataset.state = state;
  loadStatus.textContent = text;
}

function setBusy(value: boolean): void {
  busy = value;
  loadButton.disabled = busy;
  unloadButton.disabled = busy || loadStatus.dataset.state !== 'ready';
}

function showInfo(info: ModelInfo | undefined): void {
  const dl = byId('model-info');
  dl.hidden = info === undefined;
  if (!info) return;
  fillStats(dl, [
    ['target', info.target],
    ['draft', info.draft ?? 'none'],
    ['device', info.device === 'cpu' ? 'CPU reference' : 'WebGPU'],
    ['vocabulary', String(info.vocabSize)],
    ['context', `${info.contextLength} tokens`],
    ['drafting', info.drafting],
    ['chat template', info.hasChatTemplate ? 'yes' : 'no (completion only)'],
  ]);
}

async function load(): Promise<void> {
  hideError();
  let choice;
  try {
    choice = models.choice();
  } catch (err) {
    return showError(err);
  }
  setBusy(true);
  progress.reset();
  setStatus('loading', `Loading ${choice.label}…`);
  generation.setEngine(undefined, undefined);
  showInfo(undefined);
  try {
    engine ??= createEngine();
    const e = await engine;
    const settings = readSettings();
    const info = await e.load({
      target: choice.target,
      draft: choice.draft,
      drafting: choice.draft === undefined && settings.drafting === 'model' ? undefined : settings.drafting,
      device: choice.device,
      onProgress: (p: LoadProgress) => progress.update(p),
    });
    setStatus('ready', `Ready: ${choice.label}`);
    progress.collapse();
    showInfo(info);
    generation.setEngine(e, info);
    generation.offerExample(choice.example);
  } catch (err) {
    setStatus('error', `Loading ${choice.label} failed.`);
    showError(err);
  } finally {
    setBusy(false);
    void cache.refresh();
  }
}

async function unload(): Promise<void> {
  if (!engine) return;
  setBusy(true);
  try {
    await (await engine).unload();
    generation.setEngine(undefined, undefined);
    showInfo(undefined);
    setStatus('idle', 'No model loaded.');
  } catch (err) {
    showError(err);
  } finally {
    setBusy(false);
  }
}

async function start(): Promise<void> {
  wireSettings();
  byId('error-dismiss').addEventListener('click', hideError);
  byId('model-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void load();
  });
  unloadButton.addEventListener('click', () => void unload());
  void cache.refresh();

  const gpuStatus = byId('gpu-status');
  const check = await checkWebGpu();
  if (check.ok) {
    const a = check.adapter;
    gpuStatus.dataset.state = 'ok';
    models.setAdapter(a);
    gpuStatus.textContent =
      `WebGPU: ${a.description}${a.fallback ? ' (software fallback: slow)' : ''} · largest buffer ${formatBytes(a.maxBufferSize)}` +
      ` · storage binding ${formatBytes(a.maxStorageBufferBindingSize)} · f16 ${a.shaderF16 ? 'yes' : 'no'}`;
  } else {
    gpuStatus.dataset.state = 'missing';
    gpuStatus.textContent = 'WebGPU: not available';
    byId('no-webgpu-reason').textContent = check.reason;
    byId('no-webgpu').hidden = false;
    models.disableWebGpu();
    setStatus('idle', 'Without WebGPU only the CPU reference is left: fine for the embedded tiny pair, far too slow for real models.');
  }
  setBusy(false);
  document.body.dataset.ready = 'true';
}

window.addEventListener('unhandledrejection', (ev) => showError(ev.reason));
void start();
