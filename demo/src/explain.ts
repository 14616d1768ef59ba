/**
 * Turns an error from the engine (a ForesightError with a literal `code`, rebuilt on the page by the worker
 * bridge) into what the page shows: a title, the runtime's own message, and what the user can do.
 */
import { supportedWeightTypes } from './presets';

export interface Explanation {
  title: string;
  message: string;
  hint: string;
  code: string;
}

interface CodedError {
  name?: string;
  code?: string;
  message?: string;
}

const HINTS: Record<string, [title: string, hint: string]> = {
  'no-webgpu': ['WebGPU is not available', 'Use Chrome or Edge 113+, Safari 26+, or Firefox 141+ on Windows; on Linux enable chrome://flags/#enable-unsafe-webgpu.'],
  'gpu-limits': ["The model does not fit this GPU's limits", 'A tensor is larger than the largest buffer this adapter allows (see the WebGPU line at the top). Try a smaller pair.'],
  'device-lost': ['The GPU device was lost', 'The browser or driver reset the GPU (often: out of memory). Reload the page and try a smaller model.'],
  'shader-compile': ['A GPU shader failed to compile', 'This is a bug in Foresight on this GPU; the message says which shader.'],
  'gpu-validation': ['The GPU rejected a command', 'This is a bug in Foresight on this GPU or a model that exceeds a limit; the message has the details.'],
  download: ['Download failed', 'Check the URL and your connection, then press Load again: finished parts are kept and the download resumes.'],
  integrity: ['A downloaded file is corrupt', 'Its checksum did not match. Press Load again to fetch the damaged part anew.'],
  quota: ['Not enough storage for the model', 'Free space in the Cache panel (delete models or Clear all), or allow this site more storage.'],
  storage: ['The browser storage failed', 'IndexedDB refused to store or read the model. Private windows often limit storage; try a normal window.'],
  'unsupported-dtype': ['This weight format is not supported yet', `Foresight decodes ${supportedWeightTypes().join(', ')} tensors today; choose a pair with those weights.`],
  'unsupported-architecture': ['This model architecture is not supported', 'Foresight runs Llama, Qwen2 and Qwen3 style models.'],
  'model-format': ['The model files are malformed', 'A file is not what its name says, or is truncated; the message names it.'],
  'missing-tensor': ['The model is missing a tensor', 'The weights do not match config.json; the message names the tensor.'],
  'tensor-shape': ['A tensor has the wrong shape', 'The weights do not match config.json; the message names the tensor.'],
  'config-mismatch': ['The model config disagrees with its weights', 'The message names the field.'],
  pairing: ['The draft cannot be paired with the target', 'Draft and target must share a tokenizer (same vocabulary): pick models of one family.'],
  tokenizer: ["The model's tokenizer could not be used", 'The message says which file or field.'],
  'context-length': ['The conversation is too long for the model', 'Start a new chat or ask for fewer tokens.'],
  'invalid-argument': ['A setting is not valid', 'Check the settings; the message says which one.'],
  aborted: ['Stopped', 'The operation was aborted.'],
  disposed: ['The engine was shut down', 'Reload the page.'],
  internal: ['Something went wrong inside Foresight', 'This is a bug; the message may help to report it.'],
};

export function explain(err: unknown): Explanation {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as CodedError;
  const code = typeof e.code === 'string' ? e.code : 'internal';
  const [title, hint] = HINTS[code] ?? HINTS.internal;
  return { title, message: e.message || String(err), hint, code };
}
