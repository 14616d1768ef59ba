/**
 * Everything the page-side library exports (both builds: ESM and script tag). No side effects here:
 * the entry points (src/index.ts, src/client/script-tag.ts) decide how the default worker starts.
 */
export { createEngine, type CreateEngineOptions } from './create-engine';
export { WorkerEngine } from './worker-engine';
// Cache management runs on the page itself (IndexedDB is shared with the worker).
export { openBrowserCache, type ModelCache, type CachedModelInfo, type CacheUsage } from '../cache/index';
export type {
  ChatMessage,
  Device,
  Drafting,
  FinishReason,
  GenerateChunk,
  GenerateOptions,
  GenerateResult,
  GenerationStats,
  LoadOptions,
  LoadProgress,
  ModelInfo,
  ModelSourceSpec,
  SamplingOptions,
  TokenProvenance,
} from '../engine/types';
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  ChatCompletions,
  ChatCompletionUsage,
} from '../engine/chat-completions';
export {
  AbortError,
  ForesightError,
  GpuError,
  InvalidArgumentError,
  LoadError,
  ModelFormatError,
  PairingError,
  QuotaError,
  type ErrorCode,
} from '../errors';
