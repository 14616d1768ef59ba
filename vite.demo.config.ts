import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The demo page (demo/) served by `npm run demo` and built by `npm run build:demo` into dist-demo/.
// It imports `foresight` like any user's app; the alias points that name at the package entry.
// public/ (the embedded fixture models) is served at ./models/ and copied into the build.
export default defineConfig({
  root: here('demo'),
  base: './',
  // No SPA fallback: a missing file (model.safetensors.index.json for a single-file model) must be a 404,
  // as on any static host, not index.html.
  appType: 'mpa',
  publicDir: here('public'),
  resolve: { alias: { foresight: here('src/index.ts') } },
  server: { host: '127.0.0.1', port: 5174, fs: { allow: [here('.')] } },
  preview: { host: '127.0.0.1', port: 4174 },
  worker: { format: 'es' },
  build: {
    outDir: here('dist-demo'),
    emptyOutDir: true,
    target: 'es2022',
    // Model files are large and already served as-is; nothing to inline.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
