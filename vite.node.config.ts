import { defineConfig } from 'vite';

// Node build: dist/node/index.js (`foresight/node`) and dist/node/cli.js (`npx foresight`), with the WGSL
// shaders inlined. Packages stay external: `webgpu` (Dawn) is an optional peer dependency.
export default defineConfig({
  publicDir: false,
  build: {
    ssr: true,
    outDir: 'dist/node',
    emptyOutDir: false,
    target: 'node20',
    sourcemap: true,
    minify: false,
    rollupOptions: {
      input: { index: 'src/node/index.ts', cli: 'src/node/cli.ts' },
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
