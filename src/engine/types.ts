/**
 * Foresight's public types: what `load()`, `generate()` and `chat.completions.create()` take and give.
 * Everything here is structured-clonable (except `signal` and `onProgress`, which the worker bridge
 * forwards as calls), so the same types serve the in-process engine and the worker-backed one.
 */
import type { LoadProgress } from '../cache/progress';
import type { ModelSourceSpec } from '../cache/source';
import type { GenerationStats as DecodeStats } from '../decode/stats';
import type { ChatMessage } from '../tokenizer/chat-template';

export type { ChatMessage, LoadProgress, ModelSourceSpec };

/**
 * How tokens are drafted for the target to verify:
 * - `model`: the draft model given to load() (the default when one is loaded);
 * - `prompt-lookup`: copy the continuation of an earlier occurrence of the last few tokens (no second model);
 * - `auto`: the draft model if loaded, else prompt lookup, with k chosen per step from the measured
 *   acceptance rate and costs (speculation switches itself off while it does not pay);
 * - `none`: plain decoding (the default without a draft model).
 */
export type Drafting = 'model' | 'prompt-lookup' | 'auto' | 'none';

/**
 * Why a generation ended: `stop` (an EOS token or a stop string), `length` (maxNewTokens reached or the
 * context is full), `abort` (the caller's AbortSignal).
 */
export type FinishReason = 'stop' | 'length' | 'abort';

/** Where a generated token came from: an accepted draft-model token, an accepted prompt-lookup token, or the target itself. */
export type TokenProvenance = 'draft' | 'lookup' | 'target';

/** Where models run: WebGPU (the default), or the CPU reference implementation (exact, slow: tiny models, no WebGPU). */
export type Device = 'webgpu' | 'cpu';

export interface LoadOptions {
  /** `hf:owner/repo[@revision][/file.gguf]`, an http(s) URL of a Hub-style folder (ending in `/`) or of a `.gguf` file, or `File`s. */
  target: ModelSourceSpec;
  /** A smaller model of the same family (same vocabulary) to draft with. */
  draft?: ModelSourceSpec;
  /** Default drafting for generate() calls that do not say. */
  drafting?: Drafting;
  /** Default 'webgpu'. */
  device?: Device;
  /** Download / cache progress, per file and overall. */
  onProgress?: (progress: LoadProgress) => void;
}

export interface ModelInfo {
  /** Source id of the target (its URL or hf: name). */
  target: string;
  draft?: string;
  device: Device;
  vocabSize: number;
  /** Most tokens (prompt + generated) a generation can hold. */
  contextLength: number;
  drafting: Drafting;
  /** Whether the model ships a chat template (`messages` work). */
  hasChatTemplate: boolean;
  eosTokenIds: number[];
}

export interface SamplingOptions {
  /** 0 = greedy (the default). */
  temperature?: number;
  /** Keep the k most likely tokens; 0 = off. */
  topK?: number;
  /** Nucleus sampling mass; 1 = off. */
  topP?: number;
  /** Drop tokens below minP × the top probability; 0 = off. */
  minP?: number;
  /** > 1 discourages recently seen tokens; 1 = off. */
  repetitionPenalty?: number;
  /** Same seed + settings + prompt → same output, in Node and in browsers. */
  seed?: number;
}

export interface GenerateOptions extends SamplingOptions {
  /** Plain text, tokenized with the model's BOS rule. Give one of `prompt`, `messages`, `promptIds`. */
  prompt?: string;
  /** Chat messages, rendered with the model's chat template (assistant turn opened). */
  messages?: ChatMessage[];
  /** Token ids fed exactly as given (no BOS added). Give one of `prompt`, `messages`, `promptIds`. */
  promptIds?: number[];
  /** Most tokens to generate. Default: until EOS, a stop string, or a full context. */
  maxNewTokens?: number;
  /** Generation ends before any of these strings; they are not part of the output. */
  stop?: string | string[];
  /** Drafting for this call (default: the one chosen at load). */
  drafting?: Drafting;
  /** Tokens drafted per step; 'auto' adapts it per step. Default 4 (or 'auto' when drafting is 'auto'). */
  speculative?: { k: number | 'auto' };
  /** Aborting ends the generation after the current step, with a last chunk whose finishReason is 'abort'. */
  signal?: AbortSignal;
}

/** Statistics of a generation so far: the decoder's figures plus the prompt's length. */
export interface GenerationStats extends DecodeStats {
  promptTokens: number;
}

/** One step of a streamed generation. */
export interface GenerateChunk {
  /** Text that became final in this step: never half a character, never part of a stop string. May be ''. */
  text: string;
  /**
   * (tokens.length,) the text each token released; they add up to `text`. Text held back (half a
   * character, a possible stop string) counts for the token that released it; the last chunk of a
   * generation may carry text with no token of its own (then `pieces` is empty).
   */
  pieces: string[];
  /** Token ids generated in this step (1 to k+1 with speculation; an EOS id included). */
  tokens: number[];
  /** (tokens.length,) where each token came from. */
  provenance: TokenProvenance[];
  /** Running totals for the whole generation. */
  stats: GenerationStats;
  /** Set on the last chunk only. */
  finishReason?: FinishReason;
}

/** A whole generation, as `generateText()` returns it. */
export interface GenerateResult {
  text: string;
  tokens: number[];
  finishReason: FinishReason;
  stats: GenerationStats;
}
