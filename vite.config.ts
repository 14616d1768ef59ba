import { defineConfig } from 'vite';

// Dev server and demo build. Library builds live in vite.lib.config.ts (added with the build issue).
export default defineConfig({
  root: '.',
  publicDir: 'public',
  server: { host: '127.0.0.1', port: 5173 },
  worker: { format: 'es' },
});
