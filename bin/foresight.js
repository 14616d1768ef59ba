#!/usr/bin/env node
// `npx foresight run ...`: the built CLI (dist/node/cli.js) when present; in a source checkout without
// a build (or with FORESIGHT_CLI_SOURCE=1, as the tests do while another test rebuilds dist/), the
// TypeScript source through vite-node (which understands the shaders' `?raw` imports).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'node', 'cli.js');
let main;
if (!process.env.FORESIGHT_CLI_SOURCE && existsSync(built)) {
  ({ main } = await import(built));
} else {
  const { createServer } = await import('vite');
  const { ViteNodeServer } = await import('vite-node/server');
  const { ViteNodeRunner } = await import('vite-node/client');
  const server = await createServer({ root, logLevel: 'error', server: { hmr: false, ws: false }, optimizeDeps: { noDiscovery: true, include: [] } });
  await server.pluginContainer.buildStart({});
  const node = new ViteNodeServer(server);
  const runner = new ViteNodeRunner({
    root,
    base: server.config.base,
    fetchModule: (id) => node.fetchModule(id),
    resolveId: (id, importer) => node.resolveId(id, importer),
  });
  ({ main } = await runner.executeFile(join(root, 'src', 'node', 'cli.ts')));
  await server.close();
}
process.exitCode = await main(process.argv.slice(2));
