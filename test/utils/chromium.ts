/**
 * Launches Debian's Chromium (or $CHROMIUM_PATH) headless for the browser tests, with WebGPU on
 * SwiftShader unless `webgpu: false`. Never downloads a browser; says how to get one when none is found.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export async function launchChromium({ webgpu = true }: { webgpu?: boolean } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install Debian's package (\`apt-get update && apt-get install -y chromium\`) ` +
        'or set CHROMIUM_PATH to a Chromium or Chrome binary (the tests never download a browser)',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: webgpu ? [...BASE_ARGS, '--enable-unsafe-webgpu'] : BASE_ARGS });
}
