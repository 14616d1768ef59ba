/**
 * Whether this browser can run Foresight: navigator.gpu present and an adapter granted. Checked on the page
 * before anything loads, so a browser without WebGPU gets the explanation instead of a failed load.
 */

export interface AdapterSummary {
  description: string;
  /** Bytes: the largest buffer and the largest storage binding the adapter allows. */
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  shaderF16: boolean;
  fallback: boolean;
}

export type WebGpuCheck = { ok: true; adapter: AdapterSummary } | { ok: false; reason: string };

export async function checkWebGpu(): Promise<WebGpuCheck> {
  if (!window.isSecureContext) {
    return { ok: false, reason: 'This page is not a secure context (https or localhost), so the browser hides WebGPU.' };
  }
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { ok: false, reason: 'This browser has no navigator.gpu: WebGPU is missing or switched off.' };
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (err) {
    return { ok: false, reason: `navigator.gpu.requestAdapter() failed: ${(err as Error).message}` };
  }
  if (!adapter) {
    return {
      ok: false,
      reason: 'navigator.gpu exists, but the browser offered no GPU adapter (WebGPU disabled by a flag, a blocklisted GPU, or no driver).',
    };
  }
  const info = adapter.info;
  const name = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ');
  return {
    ok: true,
    adapter: {
      description: name || 'unknown adapter',
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      shaderF16: adapter.features.has('shader-f16'),
      fallback: (info as GPUAdapterInfo & { isFallbackAdapter?: boolean })?.isFallbackAdapter ?? false,
    },
  };
}
