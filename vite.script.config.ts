import { defineConfig } from 'vite';

// Script-tag build: one minified file, dist/foresight.iife.js, that defines `window.Foresight` on a page
// and hosts the engine when loaded in a worker (see src/client/script-tag.ts).
export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    minify: true,
    lib: { entry: 'src/client/script-tag.ts', name: 'Foresight', formats: ['iife'], fileName: () => 'foresight.iife.js' },
  },
});
