/**
 * Choosing what to load: a preset pair, custom URLs (or hf: names), or the user's own files.
 * Produces the `target` / `draft` that engine.load() takes.
 */
import type { LoadOptions, ModelSourceSpec } from 'foresight';
import { byId, h } from './dom';
import { formatBytes } from './format';
import { DEFAULT_EXAMPLE, gpuEstimate, PRESETS, presetById, presetSupport, resolveSource, type Example } from './presets';
import type { AdapterSummary } from './webgpu-check';

export interface ModelChoice {
  target: ModelSourceSpec;
  draft?: ModelSourceSpec;
  /** For messages: what was chosen. */
  label: string;
  /** A prompt that suits the pair. */
  example: Example;
  device: Device;
}

type Kind = 'preset' | 'urls' | 'files';
type Device = NonNullable<LoadOptions['device']>;

export class ModelPanel {
  private readonly kind = byId<HTMLSelectElement>('source-kind');
  private readonly preset = byId<HTMLSelectElement>('preset');
  private readonly note = byId('preset-note');
  private adapter: AdapterSummary | undefined;

  constructor() {
    const groups = new Map<string, HTMLOptGroupElement>();
    for (const p of PRESETS) {
      const group = p.format === 'gguf' ? 'GGUF' : 'Safetensors';
      if (!groups.has(group)) groups.set(group, h('optgroup', { label: group }));
      const suffix = presetSupport(p).ok ? '' : ' (not supported yet)';
      groups.get(group)!.append(h('option', { value: p.id }, p.label + suffix));
    }
    this.preset.replaceChildren(...groups.values());
    this.kind.addEventListener('change', () => this.showKind());
    this.preset.addEventListener('change', () => this.showNote());
    this.showKind();
    this.showNote();
  }

  /** The adapter the page found: presets are checked against its limits. */
  setAdapter(adapter: AdapterSummary): void {
    this.adapter = adapter;
    this.showNote();
  }

  /** Without WebGPU only the CPU reference is left (fine for the embedded pair). */
  disableWebGpu(): void {
    const device = byId<HTMLSelectElement>('device');
    device.value = 'cpu';
    device.querySelector<HTMLOptionElement>('option[value="webgpu"]')!.disabled = true;
  }

  choice(): ModelChoice {
    const device = byId<HTMLSelectElement>('device').value as Device;
    return { ...this.source(), device };
  }

  private source(): Omit<ModelChoice, 'device'> {
    const kind = this.kind.value as Kind;
    if (kind === 'urls') {
      const target = byId<HTMLInputElement>('target-url').value.trim();
      const draft = byId<HTMLInputElement>('draft-url').value.trim();
      if (!target) throw Object.assign(new Error('Enter a target model URL or hf: name.'), { code: 'invalid-argument' });
      return { target, draft: draft || undefined, label: target, example: DEFAULT_EXAMPLE };
    }
    if (kind === 'files') {
      const target = [...(byId<HTMLInputElement>('target-files').files ?? [])];
      const draft = [...(byId<HTMLInputElement>('draft-files').files ?? [])];
      if (target.length === 0) throw Object.assign(new Error('Choose the target model files.'), { code: 'invalid-argument' });
      return { target, draft: draft.length > 0 ? draft : undefined, label: target.map((f) => f.name).join(', '), example: DEFAULT_EXAMPLE };
    }
    const p = presetById(this.preset.value) ?? PRESETS[0];
    return { target: resolveSource(p.target), draft: p.draft && resolveSource(p.draft), label: p.label, example: p.example ?? DEFAULT_EXAMPLE };
  }

  private showKind(): void {
    for (const section of document.querySelectorAll<HTMLElement>('[data-source]')) {
      section.hidden = section.dataset.source !== this.kind.value;
    }
  }

  private showNote(): void {
    const p = presetById(this.preset.value);
    if (!p) return;
    const size = p.bytes ? `About ${formatBytes(p.bytes)} to download (once; then cached). ` : '';
    const support = presetSupport(p);
    const fit = this.adapter && gpuEstimate(p, this.adapter);
    const kind = `${p.format === 'gguf' ? 'GGUF' : 'Safetensors'}, ${p.weights.toUpperCase()}`;
    const status = !support.ok
      ? `Not supported yet: ${support.reason}. Loading it shows the runtime's error.`
      : fit?.fits === false ? `${kind}.` : `${kind}: supported.`;
    const gpu = !fit
      ? ''
      : fit.fits
        ? ` On this GPU: about ${formatBytes(fit.bytes)} of weights (${fit.bytesPerWeight === 2 ? 'f16' : 'expanded to f32'}).`
        : ` Too big for this GPU: its largest tensor takes ${formatBytes(fit.largestBytes)} as ${fit.bytesPerWeight === 2 ? 'f16' : 'f32'},` +
          ` the adapter allows ${formatBytes(this.adapter!.maxStorageBufferBindingSize)} per buffer binding; loading will end with the runtime's gpu-limits error.`;
    this.note.textContent = `${size}${status}${gpu}${p.note ? ` ${p.note}` : ''}`;
    this.note.dataset.support = support.ok && fit?.fits !== false ? 'supported' : 'unsupported';
  }
}
