/**
 * A Vite dev server over the repository root on 127.0.0.1, for browser tests that load TypeScript
 * modules (and `?raw` shaders) straight from src/. public/ is served at /, as in the demo.
 */
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { createServer, type ViteDevServer } from 'vite';

export async function startTestVite({ cacheDir }: { cacheDir: string }): Promise<ViteDevServer> {
  const vite = await createServer({
    configFile: false,
    root: process.cwd(),
    logLevel: 'error',
    cacheDir,
    server: { host: '127.0.0.1', port: await freePort(), strictPort: true, hmr: false, watch: null },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await vite.listen();
  return vite;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
