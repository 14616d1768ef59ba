import { defineConfig } from 'vite';
import { plainWorkerUrl } from './vite.build-plugins';

// ESM library build (npm import): dist/foresight.js (the page API), dist/foresight-worker.js (for custom
// workers) and dist/worker.js (the default worker). Dependencies are bundled in, so the files also run
// unbundled from a CDN. Types come from `tsc -p tsconfig.build.json`; the script-tag build from
// vite.script.config.ts.
export default defineConfig({
  publicDir: false,
  base: './',
  plugins: [plainWorkerUrl()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    minify: false, // apps minify when they bundle; the CDN-friendly minified file is the script-tag build
    lib: { entry: { foresight: 'src/index.ts', 'foresight-worker': 'src/worker/index.ts' }, formats: ['es'] },
    rollupOptions: { output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' } },
  },
  worker: { format: 'es', rollupOptions: { output: { entryFileNames: '[name].js' } } },
});
