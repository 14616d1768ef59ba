/**
 * The GPU as Foresight sees it: one device with the adapter's real limits and useful features, plus the
 * shared pipeline cache and buffer pool. Create it with `createGpuContext(navigator.gpu)` in a page or
 * worker, or with `createNodeGpuContext()` from `./node-gpu` in Node.
 */
import { GpuError } from '../errors';
import { BindGroupCache } from './bind-group-cache';
import { BufferPool } from './buffer-pool';
import { PipelineCache, type ShaderDumpHook } from './pipeline-cache';
import { adapterKind, type AdapterProfile } from './profile';
import { CommandRecorder } from './recorder';
import { tensorBytes, type DType, type Tensor } from './tensor';
import { DispatchTimer, type KernelTime } from './timing';

export interface GpuContextOptions {
  powerPreference?: GPUPowerPreference;
  /** Do not request `shader-f16` even if the adapter has it (forces the f32 weight path). */
  disableF16?: boolean;
  /** Do not request `subgroups` even if the adapter has it (exercises the fallback variants). */
  disableSubgroups?: boolean;
  /** Receives every WGSL text compiled; see also `FORESIGHT_DUMP_WGSL` in node-gpu.ts. */
  dumpShaders?: ShaderDumpHook;
}

const WANTED_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'] as const;

/** Limits we raise from the WebGPU defaults to what the adapter really offers. */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupsPerDimension',
] as const;

export const NO_WEBGPU_HELP =
  'WebGPU is not available. Use a browser with WebGPU (Chrome or Edge 113+, Safari 26+, Firefox 141+ on Windows), ' +
  'or enable it: chrome://flags/#enable-unsafe-webgpu in Chromium (headless Chromium needs --enable-unsafe-webgpu), ' +
  'dom.webgpu.enabled in Firefox. In Node, use createNodeGpuContext() (npm package `webgpu`, with a Vulkan driver such as ' +
  "SwiftShader: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json from Debian's chromium package).";

export class GpuContext {
  readonly pipelines: PipelineCache;
  readonly pool: BufferPool;
  readonly bindGroups = new BindGroupCache();
  private lostError: GpuError | null = null;
  private uncaptured: GpuError | null = null;
  private recording: CommandRecorder | null = null;
  private destroyed = false;
  /** Set between startTiming() and stopTiming(): every dispatch is then timed on the GPU. */
  timer: DispatchTimer | null = null;

  constructor(
    readonly device: GPUDevice,
    readonly profile: AdapterProfile,
    dump?: ShaderDumpHook,
  ) {
    this.pipelines = new PipelineCache(device, dump);
    this.pool = new BufferPool(device);
    device.lost.then((info) => {
      if (!this.destroyed) this.lostError = new GpuError('device-lost', `GPU device lost (${info.reason}): ${info.message}`);
    });
    device.addEventListener('uncapturederror', (ev) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      this.uncaptured ??= new GpuError('gpu-validation', `uncaptured GPU error: ${e.message}`);
    });
  }

  /** Throws GpuError('device-lost') once the device is gone, GpuError('disposed'-like) after destroy(). */
  assertAlive(): void {
    if (this.lostError) throw this.lostError;
    if (this.destroyed) throw new GpuError('device-lost', 'GPU context was destroyed');
  }

  /** Throws (once) the first GPU error that no error scope caught. */
  throwUncapturedError(): void {
    const e = this.uncaptured;
    this.uncaptured = null;
    if (e) throw e;
  }

  /** Times every dispatch from now on (needs `timestamp-query`); see timing.ts. */
  startTiming(): void {
    this.timer = new DispatchTimer(this.device);
  }

  /** GPU milliseconds per kernel label since startTiming(). */
  async stopTiming(): Promise<Map<string, KernelTime>> {
    const t = this.timer;
    this.timer = null;
    if (!t) throw new GpuError('internal', 'stopTiming() without startTiming()');
    return t.finish();
  }

  recorder(label: string): CommandRecorder {
    return new CommandRecorder(this, label);
  }

  /** @internal */
  beginRecording(r: CommandRecorder): void {
    if (this.recording) {
      throw new GpuError('internal', `recorder "${r.label}" opened while "${this.recording.label}" is still encoding`);
    }
    this.recording = r;
  }

  /** @internal */
  endRecording(r: CommandRecorder): void {
    if (this.recording === r) this.recording = null;
  }

  /** A zero-filled tensor with its own buffer (not pooled). */
  createTensor(label: string, shape: readonly number[], dtype: DType, extraUsage: GPUBufferUsageFlags = 0): Tensor {
    this.assertAlive();
    const size = Math.max(16, Math.ceil(tensorBytes(shape, dtype) / 4) * 4);
    this.checkBindingSize(label, size);
    const buffer = this.device.createBuffer({
      label,
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage,
    });
    return { buffer, shape: [...shape], dtype };
  }

  /** A tensor holding `data` (f32: Float32Array, f16: Uint16Array of half bits, u32: Uint32Array). */
  uploadTensor(label: string, shape: readonly number[], dtype: DType, data: Float32Array<ArrayBuffer> | Uint16Array<ArrayBuffer> | Uint32Array<ArrayBuffer>): Tensor {
    const t = this.createTensor(label, shape, dtype);
    const bytes = tensorBytes(shape, dtype);
    if (data.byteLength !== bytes) {
      throw new GpuError('internal', `${label}: ${data.byteLength} bytes of data for shape (${shape.join(', ')}) ${dtype}`);
    }
    this.write(t.buffer, 0, data);
    return t;
  }

  /** queue.writeBuffer, padding the tail to a multiple of 4 bytes as WebGPU requires. */
  write(buffer: GPUBuffer, offset: number, data: ArrayBufferView<ArrayBuffer>): void {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.byteLength % 4 === 0) {
      this.device.queue.writeBuffer(buffer, offset, bytes);
    } else {
      const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
      padded.set(bytes);
      this.device.queue.writeBuffer(buffer, offset, padded);
    }
  }

  /** Throws GpuError('gpu-limits') naming `label` when one binding of `bytes` exceeds the device's limits. */
  checkBindingSize(label: string, bytes: number): void {
    const { maxStorageBufferBindingSize, maxBufferSize } = this.device.limits;
    const max = Math.min(maxStorageBufferBindingSize, maxBufferSize);
    if (bytes > max) {
      throw new GpuError(
        'gpu-limits',
        `${label} needs ${bytes} bytes in one buffer, but this GPU allows at most ${max} (maxStorageBufferBindingSize)`,
      );
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pool.destroy();
    this.device.destroy();
  }
}

/** The browser's WebGPU entry point, or GpuError('no-webgpu') explaining how to get one. */
export function browserGpu(): GPU {
  const gpu = typeof navigator !== 'undefined' ? (navigator as Navigator & { gpu?: GPU }).gpu : undefined;
  if (!gpu) throw new GpuError('no-webgpu', NO_WEBGPU_HELP);
  return gpu;
}

export async function createGpuContext(gpu: GPU | undefined = undefined, opts: GpuContextOptions = {}): Promise<GpuContext> {
  const entry = gpu ?? browserGpu();
  const adapter = await entry.requestAdapter({ powerPreference: opts.powerPreference });
  if (!adapter) throw new GpuError('no-webgpu', `No WebGPU adapter found (requestAdapter returned null). ${NO_WEBGPU_HELP}`);

  const requiredFeatures = WANTED_FEATURES.filter(
    (f) => adapter.features.has(f) && !(f === 'shader-f16' && opts.disableF16) && !(f === 'subgroups' && opts.disableSubgroups),
  );
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];

  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ label: 'foresight', requiredFeatures, requiredLimits });
  } catch (e) {
    throw new GpuError('no-webgpu', `requestDevice failed: ${(e as Error).message}`, { cause: e });
  }
  const info = adapter.info;
  const profile: AdapterProfile = {
    kind: adapterKind(info),
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallbackAdapter: Boolean((info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter),
    f16: device.features.has('shader-f16'),
    subgroups: device.features.has('subgroups'),
    timestampQuery: device.features.has('timestamp-query'),
    subgroupMinSize: (info as GPUAdapterInfo & { subgroupMinSize?: number }).subgroupMinSize ?? 0,
    subgroupMaxSize: (info as GPUAdapterInfo & { subgroupMaxSize?: number }).subgroupMaxSize ?? 0,
  };
  return new GpuContext(device, profile, opts.dumpShaders);
}
