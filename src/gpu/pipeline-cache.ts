/**
 * Shader modules and compute pipelines, compiled once and shared by every op.
 *
 * A pipeline is identified by a structured key: (shader source, preprocessor flags, entry point,
 * override constants). Modules are cached per (source, flags) and pipelines per module under a
 * canonical form of the rest, so two ops asking for the same variant share one pipeline, and no shape
 * ever reaches the key (shapes travel in uniforms).
 */
import { GpuError } from '../errors';
import { preprocess, type ShaderFlags, type ShaderSource } from './shader';

export interface PipelineKey {
  readonly shader: ShaderSource;
  readonly entryPoint: string;
  readonly flags?: ShaderFlags;
  readonly constants?: Readonly<Record<string, number>>;
}

/** Receives every WGSL text actually compiled (after preprocessing), e.g. to dump it for debugging. */
export type ShaderDumpHook = (label: string, code: string) => void;

/** A record's entries sorted by name: a canonical, order-independent form of a flags/constants dictionary. */
function canonical(record: Readonly<Record<string, number | boolean>> | undefined): string {
  if (!record) return '[]';
  return JSON.stringify(Object.keys(record).sort().map((k) => [k, record[k]]));
}

function flagLabel(flags: ShaderFlags | undefined): string {
  const on = Object.keys(flags ?? {}).filter((k) => flags![k]).sort();
  return on.length ? `[${on.join(',')}]` : '';
}

export class PipelineCache {
  private readonly modules = new Map<ShaderSource, Map<string, Promise<GPUShaderModule>>>();
  private readonly pipelines = new Map<GPUShaderModule, Map<string, Promise<GPUComputePipeline>>>();

  constructor(
    private readonly device: GPUDevice,
    private readonly dump?: ShaderDumpHook,
  ) {}

  /** The compiled pipeline for `key`; the first call compiles it, later calls share the same promise. */
  async get(key: PipelineKey): Promise<GPUComputePipeline> {
    const module = await this.module(key.shader, key.flags);
    let byRest = this.pipelines.get(module);
    if (!byRest) this.pipelines.set(module, (byRest = new Map()));
    const rest = JSON.stringify([key.entryPoint, canonical(key.constants)]);
    let p = byRest.get(rest);
    if (!p) {
      p = this.createPipeline(module, key);
      byRest.set(rest, p);
      p.catch(() => byRest!.delete(rest)); // let a later call retry (and see the error again)
    }
    return p;
  }

  private module(shader: ShaderSource, flags: ShaderFlags | undefined): Promise<GPUShaderModule> {
    let byFlags = this.modules.get(shader);
    if (!byFlags) this.modules.set(shader, (byFlags = new Map()));
    const k = canonical(flags);
    let m = byFlags.get(k);
    if (!m) {
      m = this.compile(shader, flags ?? {});
      byFlags.set(k, m);
      m.catch(() => byFlags!.delete(k));
    }
    return m;
  }

  private async compile(shader: ShaderSource, flags: ShaderFlags): Promise<GPUShaderModule> {
    const code = preprocess(shader, flags);
    const label = `${shader.name}${flagLabel(flags)}`;
    this.dump?.(label, code);
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label, code });
    const [info, error] = await Promise.all([module.getCompilationInfo(), this.device.popErrorScope()]);
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length || error) {
      const lines = errors.map((m) => `${shader.name}:${m.lineNum}:${m.linePos}: ${m.message}`);
      if (error && !lines.length) lines.push(error.message);
      throw new GpuError('shader-compile', `WGSL compilation failed for ${label}:\n${lines.join('\n')}`);
    }
    return module;
  }

  private async createPipeline(module: GPUShaderModule, key: PipelineKey): Promise<GPUComputePipeline> {
    const consts = key.constants ? Object.entries(key.constants).map(([k, v]) => `${k}=${v}`).join(',') : '';
    const label = `${module.label}:${key.entryPoint}${consts ? `{${consts}}` : ''}`;
    this.device.pushErrorScope('validation');
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await this.device.createComputePipelineAsync({
        label,
        layout: 'auto',
        compute: { module, entryPoint: key.entryPoint, constants: key.constants as Record<string, number> | undefined },
      });
    } catch (e) {
      await this.device.popErrorScope();
      throw new GpuError('shader-compile', `pipeline creation failed for ${label}: ${(e as Error).message}`, { cause: e });
    }
    const error = await this.device.popErrorScope();
    if (error) throw new GpuError('shader-compile', `pipeline creation failed for ${label}: ${error.message}`);
    return pipeline;
  }
}
