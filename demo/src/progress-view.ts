/**
 * Download progress of a load: for each model (target, then draft) a bar for all its files and one bar per
 * file, with bytes done / total and the rate.
 *
 * load() reports both models through one callback, and file names repeat between them (config.json ...).
 * Within one model the byte counts only grow, so a count that goes back means the next model has started.
 * When an event names its model (`model` field), that is used instead.
 */
import type { LoadProgress } from 'foresight';
import { h } from './dom';
import { formatBytes, formatRate } from './format';

interface Row {
  root: HTMLElement;
  bar: HTMLProgressElement;
  figures: HTMLElement;
  done: number;
}

interface Group {
  name: string;
  overall: Row;
  files: Map<string, Row>;
  overallDone: number;
}

const GROUP_NAMES = ['Target model', 'Draft model'];

export class ProgressView {
  private groups: Group[] = [];

  constructor(private readonly container: HTMLElement) {}

  reset(): void {
    this.groups = [];
    this.container.replaceChildren();
  }

  /** Folds each model's file list away, leaving its overall bar (after a load finished). */
  collapse(): void {
    for (const section of this.container.querySelectorAll('details')) section.open = false;
  }

  update(p: LoadProgress): void {
    const group = this.groupFor(p);
    const file = group.files.get(p.file) ?? this.addFile(group, p.file);
    setRow(file, p.bytesDone, p.bytesTotal, p.rate);
    setRow(group.overall, p.overall.bytesDone, p.overall.bytesTotal, p.overall.rate);
    group.overallDone = p.overall.bytesDone;
  }

  private groupFor(p: LoadProgress): Group {
    if (p.model !== undefined) {
      const name = p.model === 'target' ? GROUP_NAMES[0] : GROUP_NAMES[1];
      return this.groups.find((g) => g.name === name) ?? this.addGroup(name);
    }
    const current = this.groups.at(-1);
    const wentBack = current !== undefined && (p.overall.bytesDone < current.overallDone || p.bytesDone < (current.files.get(p.file)?.done ?? 0));
    if (!current || wentBack) return this.addGroup(GROUP_NAMES[this.groups.length] ?? `Model ${this.groups.length + 1}`);
    return current;
  }

  private addGroup(name: string): Group {
    const overall = row(name, true);
    const section = h('details', { class: 'progress-group', 'data-group': name, open: true }, h('summary', {}, overall.root));
    this.container.append(section);
    const group = { name, overall, files: new Map<string, Row>(), overallDone: 0 };
    this.groups.push(group);
    return group;
  }

  private addFile(group: Group, name: string): Row {
    const r = row(name, false);
    group.files.set(name, r);
    this.container.querySelector(`[data-group="${CSS.escape(group.name)}"]`)?.append(r.root);
    return r;
  }
}

function row(name: string, overall: boolean): Row {
  const bar = h('progress', { max: 1, value: 0, 'aria-label': `${name} download` });
  const figures = h('span', { class: 'figures' });
  const root = h('div', { class: overall ? 'file-progress overall' : 'file-progress', 'data-file': name },
    h('span', { class: 'name', title: name }, name), figures, bar);
  return { root, bar, figures, done: 0 };
}

function setRow(r: Row, done: number, total: number | undefined, rate: number): void {
  r.done = done;
  const known = total !== undefined && total > 0;
  if (known) {
    r.bar.max = total;
    r.bar.value = Math.min(done, total);
  } else {
    r.bar.removeAttribute('value'); // indeterminate until the size is known
  }
  const percent = total === 0 ? 100 : known ? Math.floor((100 * Math.min(done, total)) / total) : 0;
  r.root.dataset.percent = String(percent);
  r.figures.textContent = percent === 100
    ? `${formatBytes(total)} · done`
    : `${formatBytes(done)} / ${known ? formatBytes(total) : '?'} · ${formatRate(rate)}`;
}
