/**
 * What kind of machine runs our shaders, so each op can pick the kernel variant that suits it.
 *
 * - `swiftshader`: Chromium/Dawn's CPU fallback. Every storage-buffer load is emulated lane by lane and
 *   barriers are very slow, so register-blocked kernels without workgroup memory win.
 * - `llvmpipe`: Mesa's lavapipe. A CPU too, but its LLVM JIT vectorises across lanes and handles
 *   subgroup operations well; it behaves like a small GPU.
 * - `gpu`: everything else. Prefers many threads per output, workgroup reductions and tiles.
 */
export type AdapterKind = 'swiftshader' | 'llvmpipe' | 'gpu';

export interface AdapterProfile {
  readonly kind: AdapterKind;
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
  /** The device was created with `shader-f16`: weights may be stored as f16. */
  readonly f16: boolean;
  /** The device was created with `subgroups`. */
  readonly subgroups: boolean;
  /** The device was created with `timestamp-query`. */
  readonly timestampQuery: boolean;
  readonly subgroupMinSize: number;
  readonly subgroupMaxSize: number;
}

export function adapterKind(info: { vendor: string; architecture: string; device?: string; description?: string }): AdapterKind {
  const text = `${info.vendor} ${info.architecture} ${info.device ?? ''} ${info.description ?? ''}`.toLowerCase();
  if (text.includes('swiftshader')) return 'swiftshader';
  if (text.includes('llvmpipe') || text.includes('lavapipe')) return 'llvmpipe';
  return 'gpu';
}
