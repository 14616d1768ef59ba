/**
 * Model builders: weights → a LanguageModel on the device asked for.
 * - CPU: the reference transformer (src/model/reference.ts) in plain TypeScript; exact but slow.
 * - WebGPU: the Transformer (src/model/transformer.ts) on one GpuContext shared by target and draft,
 *   created on first use (navigator.gpu in a page or worker; Dawn in Node, see node-engine.ts).
 */
import { createGpuContext, type GpuContext } from '../gpu/context';
import { ReferenceModel } from '../model/reference';
import { Transformer } from '../model/transformer';
import type { ModelBuilder } from './load-pair';

export const cpuModelBuilder: ModelBuilder = (weights) => ReferenceModel.load(weights);

/** WebGPU for device 'webgpu', the CPU reference for 'cpu'. */
export function deviceModelBuilder(createContext: () => Promise<GpuContext> = () => createGpuContext()): ModelBuilder {
  let context: Promise<GpuContext> | undefined;
  return async (weights, name, device) => {
    if (device === 'cpu') return cpuModelBuilder(weights, name, device);
    context ??= createContext().catch((err) => {
      context = undefined; // let a later load try again
      throw err;
    });
    return Transformer.load(await context, weights, { label: name });
  };
}
