/**
 * The Generate panel: chat or plain completion, streaming into the output with live charts, Stop, and the
 * side-by-side comparison. It owns the chat history; the engine is passed in once a model is loaded.
 */
import type { ChatMessage, GenerateOptions, ModelInfo } from 'foresight';
import { runComparison } from './compare';
import { byId, h } from './dom';
import { runGeneration, type Generator } from './run';
import type { Example } from './presets';
import { readSettings } from './settings';
import { SpeedCharts } from './speed-charts';
import { showStats } from './stats-view';
import { emptySeries } from './step-series';
import { TokenStream } from './token-view';

type Mode = 'chat' | 'completion';

export interface GeneratePanelHooks {
  onError(err: unknown): void;
  /** Called with true when a generation starts and false when it ends (the page locks loading meanwhile). */
  onBusy(busy: boolean): void;
}

export class GeneratePanel {
  private readonly output = byId('output');
  private readonly prompt = byId<HTMLTextAreaElement>('prompt');
  private readonly generateButton = byId<HTMLButtonElement>('generate');
  private readonly compareButton = byId<HTMLButtonElement>('compare');
  private readonly stopButton = byId<HTMLButtonElement>('stop');
  private readonly charts = new SpeedCharts();
  private engine: Generator | undefined;
  private info: ModelInfo | undefined;
  private history: ChatMessage[] = [];
  private running: AbortController | undefined;
  /** The prompt last put in by offerExample(), or the page's initial one: replaced by the next example. */
  private examplePrompt: string;

  constructor(private readonly hooks: GeneratePanelHooks) {
    this.examplePrompt = this.prompt.value;
    byId('prompt-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.generate();
    });
    this.prompt.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        void this.generate();
      }
    });
    this.compareButton.addEventListener('click', () => void this.compare());
    this.stopButton.addEventListener('click', () => this.running?.abort());
    document.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && this.running) this.running.abort();
    });
    byId('clear-chat').addEventListener('click', () => this.clear());
    for (const radio of this.modeRadios()) radio.addEventListener('change', () => this.clear());
    showStats(byId('stats'), undefined);
    this.charts.show(emptySeries());
    this.clear();
  }

  /** A model was loaded (or unloaded: undefined). */
  setEngine(engine: Generator | undefined, info: ModelInfo | undefined): void {
    this.engine = engine;
    this.info = info;
    const chat = this.modeRadios().find((r) => r.value === 'chat')!;
    chat.disabled = info !== undefined && !info.hasChatTemplate;
    if (chat.disabled && chat.checked) this.modeRadios().find((r) => r.value === 'completion')!.checked = true;
    this.clear();
    this.updateButtons();
  }

  /** Puts a pair's example prompt in, unless the user has written their own. */
  offerExample(example: Example): void {
    const untouched = this.prompt.value.trim() === '' || this.prompt.value === this.examplePrompt;
    if (!untouched || this.running) return;
    const radio = this.modeRadios().find((r) => r.value === example.mode);
    if (radio && !radio.disabled && !radio.checked) {
      radio.checked = true;
      this.clear();
    }
    this.prompt.value = this.examplePrompt = example.prompt;
  }

  private modeRadios(): HTMLInputElement[] {
    return [...document.querySelectorAll<HTMLInputElement>('input[name="mode"]')];
  }

  private mode(): Mode {
    return (this.modeRadios().find((r) => r.checked)?.value as Mode) ?? 'chat';
  }

  private clear(): void {
    if (this.running) return;
    this.history = [];
    this.output.replaceChildren();
    const chat = this.mode() === 'chat';
    byId('prompt-label').textContent = chat ? 'Message' : 'Prompt (the model continues it)';
    byId('clear-chat').textContent = chat ? 'New chat' : 'Clear';
  }

  private async generate(): Promise<void> {
    const engine = this.engine;
    const text = this.prompt.value;
    if (!engine || this.running || text.trim() === '') return;
    const chat = this.mode() === 'chat';
    const messages: ChatMessage[] = [...this.history, { role: 'user', content: text }];
    const into = this.beginTurn(chat, text);
    const settings = readSettings();
    await this.exclusive(async (signal) => {
      const options: GenerateOptions = { ...settings, signal, ...(chat ? { messages } : { prompt: text }) };
      this.charts.show(emptySeries());
      const result = await runGeneration(engine, options, {
        tokens: new TokenStream(into, this.output),
        stats: byId('stats'),
        onStep: (series) => this.charts.show(series),
      });
      if (chat) {
        this.history = [...messages, { role: 'assistant', content: result.text }];
        this.prompt.value = '';
      }
    });
  }

  private async compare(): Promise<void> {
    const engine = this.engine;
    const text = this.prompt.value;
    if (!engine || this.running || text.trim() === '') return;
    const settings = readSettings();
    const chat = this.mode() === 'chat';
    // Comparing plain with plain says nothing: with drafting 'none' selected, speculate with what is loaded.
    const fallback = this.info?.draft ? 'model' : 'prompt-lookup';
    const drafting = settings.drafting === 'none' || settings.drafting === undefined ? fallback : settings.drafting;
    const k = settings.speculative?.k ?? 4;
    await this.exclusive(async (signal) => {
      const base: GenerateOptions = { ...settings, drafting, signal, ...(chat ? { messages: [...this.history, { role: 'user', content: text }] } : { prompt: text }) };
      await runComparison(engine, base, `drafting: ${drafting}, k: ${k}`);
    });
  }

  /** Runs `body` as the one generation in progress: Stop aborts it, errors are shown, buttons follow. */
  private async exclusive(body: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const controller = new AbortController();
    this.running = controller;
    this.hooks.onBusy(true);
    this.updateButtons();
    try {
      await body(controller.signal);
    } catch (err) {
      this.hooks.onError(err);
    } finally {
      this.running = undefined;
      this.hooks.onBusy(false);
      this.updateButtons();
    }
  }

  /** Adds the user's turn (chat) or the prompt (completion) to the output; returns where tokens go. */
  private beginTurn(chat: boolean, text: string): HTMLElement {
    const reply = h('span', { class: 'reply' });
    if (chat) {
      this.output.append(
        h('div', { class: 'turn user' }, h('span', { class: 'role' }, 'You'), text),
        h('div', { class: 'turn assistant' }, h('span', { class: 'role' }, 'Model'), reply),
      );
    } else {
      this.output.replaceChildren(h('span', { class: 'prompt' }, text), reply);
    }
    this.output.scrollTop = this.output.scrollHeight;
    return reply;
  }

  private updateButtons(): void {
    const ready = this.engine !== undefined && !this.running;
    this.generateButton.disabled = !ready;
    this.compareButton.disabled = !ready;
    this.stopButton.disabled = !this.running;
    for (const radio of this.modeRadios()) radio.disabled = this.running !== undefined || (radio.value === 'chat' && this.info?.hasChatTemplate === false);
  }
}
