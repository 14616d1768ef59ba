/**
 * WebGPU in Node through Dawn (npm package `webgpu`). Import this module only from Node code (CLI, tests,
 * benchmarks) so that browser bundles never pull in `webgpu`.
 *
 * Vulkan driver choice, read when the first GPU object is created:
 * - `VK_ICD_FILENAMES` (or the `icd` option) when set;
 * - else SwiftShader from Debian's chromium package (`/usr/lib/chromium/vk_swiftshader_icd.json`);
 * - `FORESIGHT_VK_ICD=system` leaves the Vulkan loader's own search alone (a machine with a real GPU).
 * `FORESIGHT_DUMP_WGSL=1` prints every compiled WGSL text to stderr; `FORESIGHT_DUMP_WGSL=<dir>` writes them there.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, globals } from 'webgpu';
import { createGpuContext, type GpuContext, type GpuContextOptions } from './context';
import type { ShaderDumpHook } from './pipeline-cache';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Dawn aborts the process if the object returned by `create()` is garbage-collected while a device lives,
 * so every instance stays referenced here for the life of the process (one per Vulkan driver).
 */
const instances = new Map<string, GPU>();

/** The lavapipe driver unpacked by tools/lavapipe.sh (the only driver here with `shader-f16`), if present. */
export function lavapipeIcd(): string | null {
  const path = process.env.FORESIGHT_LAVAPIPE_ICD ?? fileURLToPath(new URL('../../.cache/lavapipe/lvp_icd.json', import.meta.url));
  return existsSync(path) ? path : null;
}

/** Dawn's `GPU` object for one Vulkan driver (an ICD json path, or 'system' for the loader's default search). */
export function nodeGpu(icd?: string): GPU {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const driver = icd ?? process.env.FORESIGHT_VK_ICD ?? process.env.VK_ICD_FILENAMES ?? SWIFTSHADER_ICD;
  let gpu = instances.get(driver);
  if (!gpu) {
    Object.assign(globalThis, globals);
    const saved = process.env.VK_ICD_FILENAMES;
    if (driver === 'system') delete process.env.VK_ICD_FILENAMES;
    else process.env.VK_ICD_FILENAMES = driver;
    try {
      gpu = create([]);
      // Dawn reads VK_ICD_FILENAMES when the first adapter request discovers drivers (synchronously, inside
      // the call), so make that request now, while the variable names this instance's driver.
      void gpu.requestAdapter();
    } finally {
      if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = saved;
    }
    instances.set(driver, gpu);
  }
  return gpu;
}

function dumpHookFromEnv(): ShaderDumpHook | undefined {
  const target = process.env.FORESIGHT_DUMP_WGSL;
  if (!target) return undefined;
  if (target === '1' || target === 'stderr') {
    return (label, code) => process.stderr.write(`// ---- ${label}\n${code}\n`);
  }
  mkdirSync(target, { recursive: true });
  return (label, code) => writeFileSync(join(target, `${label.replace(/[^\w.,=-]+/g, '_')}.wgsl`), code);
}

export async function createNodeGpuContext(opts: GpuContextOptions & { icd?: string } = {}): Promise<GpuContext> {
  return createGpuContext(nodeGpu(opts.icd), { dumpShaders: dumpHookFromEnv(), ...opts });
}
