/** The cache panel: models stored in this browser, their sizes, delete one, clear all. */
import type { ModelCache } from 'foresight';
import { byId, h } from './dom';
import { formatBytes } from './format';

type CacheApi = Pick<ModelCache, 'listModels' | 'deleteModel' | 'clear' | 'usage'>;

export class CachePanel {
  private readonly list = byId('cache-list');
  private readonly usage = byId('cache-usage');

  constructor(
    private readonly cache: CacheApi,
    private readonly onError: (err: unknown) => void,
  ) {
    byId('cache-refresh').addEventListener('click', () => void this.refresh());
    byId('cache-clear').addEventListener('click', () => void this.clearAll());
  }

  async refresh(): Promise<void> {
    try {
      const [models, usage] = await Promise.all([this.cache.listModels(), this.cache.usage()]);
      const quota = usage.estimate?.quota;
      this.usage.textContent =
        `${usage.models} model${usage.models === 1 ? '' : 's'}, ${formatBytes(usage.bytes)} stored` +
        (quota ? ` (browser allows ${formatBytes(quota)} for this site)` : '');
      this.list.replaceChildren(
        ...models.map((m) => {
          const remove = h('button', { type: 'button', 'aria-label': `Delete ${m.id}` }, 'Delete');
          remove.addEventListener('click', () => void this.remove(m.id));
          const size = m.complete ? formatBytes(m.bytes) : `${formatBytes(m.bytes)} of ${formatBytes(m.totalBytes)} (partial)`;
          return h('li', { 'data-model': m.id }, h('span', { class: 'id' }, m.id), remove, h('span', { class: 'size' }, `${size} · ${m.files.length} files`));
        }),
      );
    } catch (err) {
      this.usage.textContent = 'The cache could not be read.';
      this.onError(err);
    }
  }

  private async remove(id: string): Promise<void> {
    try {
      await this.cache.deleteModel(id);
    } catch (err) {
      this.onError(err);
    }
    await this.refresh();
  }

  private async clearAll(): Promise<void> {
    if (!window.confirm('Delete every model stored by this page?')) return;
    try {
      await this.cache.clear();
    } catch (err) {
      this.onError(err);
    }
    await this.refresh();
  }
}
