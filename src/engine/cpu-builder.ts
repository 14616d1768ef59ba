/**
 * A ModelBuilder on the CPU: the reference transformer (src/model/reference.ts) in plain TypeScript.
 * Exact but slow; for tiny models, tests, and machines without WebGPU. The default builders use it
 * until the WebGPU Transformer is wired in (see the note in src/worker/default-host.ts).
 */
import { ReferenceModel } from '../model/reference';
import type { ModelBuilder } from './load-pair';

export const cpuModelBuilder: ModelBuilder = (weights) => ReferenceModel.load(weights);
