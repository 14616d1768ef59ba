/**
 * Starting workers that work wherever the library is served from.
 *
 * Browsers only start a worker from a script of the page's own origin. When Foresight is bundled into
 * an app its worker file sits next to the app's code and starts directly. When it is loaded from a CDN
 * (another origin), `new Worker(url)` throws a SecurityError; we then start a same-origin worker from a
 * Blob whose one line loads the real script (module workers: `import`, classic: `importScripts`),
 * which browsers allow across origins (for modules, when the CDN sends CORS headers, as CDNs do).
 */
import { ForesightError } from '../errors';
import { isNotice, PROTOCOL_VERSION, type PageNotice, type WorkerNotice } from '../worker/protocol';

function isSecurityError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'SecurityError';
}

/** A same-origin worker that loads `url` (from any origin). */
export function blobWorker(url: string, options: WorkerOptions): Worker {
  const source = options.type === 'module' ? `import ${JSON.stringify(url)};` : `importScripts(${JSON.stringify(url)});`;
  const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    return new Worker(blobUrl, options);
  } finally {
    // The worker has its own reference once it starts fetching; revoking later than now is not needed
    // in Chromium, but Firefox and Safari want the URL alive until the script is fetched.
    setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000);
  }
}

/**
 * Runs `spawn` (which must construct exactly one Worker) and, if the browser refuses it as
 * cross-origin, starts the same script through a Blob worker. `spawn` keeps the literal
 * `new Worker(new URL('...', import.meta.url), ...)` form that bundlers (Vite, webpack, Parcel) look
 * for, so we learn the URL they chose by watching the constructor call for its duration.
 */
export function startWorker(spawn: () => Worker): Worker {
  const Native = globalThis.Worker;
  let requested: { url: string; options: WorkerOptions } | undefined;
  class Watched extends Native {
    constructor(url: string | URL, options?: WorkerOptions) {
      requested = { url: String(url), options: options ?? {} };
      super(url, options);
    }
  }
  globalThis.Worker = Watched;
  try {
    return spawn();
  } catch (err) {
    if (!isSecurityError(err) || !requested) throw err;
    return blobWorker(new URL(requested.url, location.href).href, requested.options);
  } finally {
    globalThis.Worker = Native;
  }
}

/**
 * Resolves once the worker has exposed its engine; rejects with a typed error if its script fails
 * to load or run, if it speaks another protocol version, or if it stays silent for `timeoutMs`.
 */
export function whenReady(worker: Worker, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (err?: ForesightError) => {
      clearTimeout(timer);
      clearInterval(pinger);
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onMessage = (event: MessageEvent) => {
      if (!isNotice<WorkerNotice>(event.data, 'foresight:ready')) return;
      if (event.data.protocol !== PROTOCOL_VERSION) {
        done(new ForesightError('internal', `the worker speaks protocol ${event.data.protocol}, this page ${PROTOCOL_VERSION}: page and worker come from different Foresight builds`));
      } else done();
    };
    const onError = (event: ErrorEvent) => {
      event.preventDefault();
      done(new ForesightError('internal', `the Foresight worker failed to start: ${event.message || 'its script could not be loaded (check the URL, CORS and CSP)'}`));
    };
    const ping = () => worker.postMessage({ type: 'foresight:ping' } satisfies PageNotice);
    const timer = setTimeout(() => done(new ForesightError('internal', `the Foresight worker did not start within ${timeoutMs} ms`)), timeoutMs);
    // The worker announces itself once on start; a worker created a while ago may have done so before we listened.
    const pinger = setInterval(ping, 250);
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
    ping();
  });
}
