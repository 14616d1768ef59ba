/**
 * Build helpers for vite.lib.config.ts.
 */
import type { OutputChunk } from 'rollup';
import type { Plugin } from 'vite';

/**
 * Vite writes the library's worker URL as `new URL("" + new URL("worker.js", import.meta.url).href, import.meta.url)`.
 * Rewrite the inner expression to the plain `"./worker.js"`, the form app bundlers (Vite, webpack, Parcel)
 * recognise in `new Worker(new URL("./worker.js", import.meta.url))`, so an app that bundles Foresight
 * bundles its worker too. Done after Vite's own rendering (generateBundle), on one line, so source maps
 * keep their lines. Fails the build if an entry starts its worker in any other form (e.g. after a Vite upgrade).
 */
export function plainWorkerUrl(): Plugin {
  const emitted = /"" \+ new URL\("([\w.-]+\.js)", import\.meta\.url\)\.href(?: \+ "")?/g;
  const plain = /new Worker\(new URL\(\s*(?:\/\*\s*@vite-ignore\s*\*\/\s*)?"\.\/[\w.-]+\.js",\s*import\.meta\.url\s*\)/;
  return {
    name: 'foresight:plain-worker-url',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        const chunk = file as OutputChunk;
        chunk.code = chunk.code.replace(emitted, (_m, name: string) => JSON.stringify(`./${name}`));
        if (chunk.isEntry && /new Worker\(new URL\(/.test(chunk.code) && !plain.test(chunk.code)) {
          this.error(`${chunk.fileName}: the worker is not started as new Worker(new URL("./worker.js", import.meta.url))`);
        }
      }
    },
  };
}
