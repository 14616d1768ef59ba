/**
 * `engine.chat.completions.create()`: OpenAI's chat completions shape over `engine.generate()`, so code
 * written for OpenAI-compatible servers runs against Foresight. The same adapter serves the in-process
 * engine and the worker-backed one.
 *
 * Streaming follows OpenAI with `stream_options.include_usage`: content chunks (the first carries the
 * role), the last content chunk carries `finish_reason`, then one chunk with empty `choices` carrying
 * `usage` and Foresight's speculative-decoding `stats`.
 */
import { ForesightError, InvalidArgumentError } from '../errors';
import type { ChatMessage, Drafting, FinishReason, GenerateChunk, GenerateOptions, GenerationStats } from './types';

export interface ChatCompletionCreateParams {
  messages: ChatMessage[];
  stream?: boolean;
  /** Echoed back; the loaded model answers whatever it says. */
  model?: string;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string | string[];
  // Beyond OpenAI's parameters (as llama.cpp's and vLLM's servers accept them):
  top_k?: number;
  min_p?: number;
  repetition_penalty?: number;
  // Foresight's own:
  drafting?: Drafting;
  speculative?: { k: number | 'auto' };
  signal?: AbortSignal;
}

export interface ChatCompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number; // Unix seconds
  model: string;
  choices: Array<{ index: number; delta: { role?: 'assistant'; content?: string }; finish_reason: FinishReason | null }>;
  /** On the last chunk only (with empty `choices`). */
  usage?: ChatCompletionUsage;
  /** Speculative decoding figures, on the last chunk only. */
  stats?: GenerationStats;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: number; message: { role: 'assistant'; content: string }; finish_reason: FinishReason }>;
  usage: ChatCompletionUsage;
  stats: GenerationStats;
}

export interface ChatCompletions {
  create(params: ChatCompletionCreateParams & { stream: true }): Promise<AsyncGenerator<ChatCompletionChunk, void, undefined>>;
  create(params: ChatCompletionCreateParams & { stream?: false }): Promise<ChatCompletion>;
  create(params: ChatCompletionCreateParams): Promise<ChatCompletion | AsyncGenerator<ChatCompletionChunk, void, undefined>>;
}

type Generate = (options: GenerateOptions) => AsyncGenerator<GenerateChunk, void, undefined>;

export function createChatCompletions(generate: Generate, modelName: () => string | undefined = () => undefined): ChatCompletions {
  return {
    async create(params: ChatCompletionCreateParams) {
      const options = toGenerateOptions(params);
      const head = { id: `chatcmpl-${randomId()}`, created: Math.floor(Date.now() / 1000), model: params.model ?? modelName() ?? 'foresight' };
      return params.stream ? streamChunks(generate(options), head) : collect(generate(options), head);
    },
  } as ChatCompletions;
}

function toGenerateOptions(p: ChatCompletionCreateParams): GenerateOptions {
  if (!p || !Array.isArray(p.messages)) throw new InvalidArgumentError('chat.completions.create needs `messages`');
  if (p.max_tokens !== undefined && p.max_completion_tokens !== undefined && p.max_tokens !== p.max_completion_tokens) {
    throw new InvalidArgumentError('give max_tokens or max_completion_tokens, not two different values');
  }
  return {
    messages: p.messages,
    maxNewTokens: p.max_completion_tokens ?? p.max_tokens,
    temperature: p.temperature,
    topP: p.top_p,
    topK: p.top_k,
    minP: p.min_p,
    repetitionPenalty: p.repetition_penalty,
    seed: p.seed,
    stop: p.stop,
    drafting: p.drafting,
    speculative: p.speculative,
    signal: p.signal,
  };
}

type Head = Pick<ChatCompletionChunk, 'id' | 'created' | 'model'>;

function usageOf(stats: GenerationStats): ChatCompletionUsage {
  return { prompt_tokens: stats.promptTokens, completion_tokens: stats.tokens, total_tokens: stats.promptTokens + stats.tokens };
}

async function* streamChunks(chunks: AsyncGenerator<GenerateChunk, void, undefined>, head: Head): AsyncGenerator<ChatCompletionChunk, void, undefined> {
  let first = true;
  let stats: GenerationStats | undefined;
  try {
    for await (const chunk of chunks) {
      stats = chunk.stats ?? stats;
      if (chunk.text === '' && !first && !chunk.finishReason) continue;
      const delta = first ? { role: 'assistant' as const, content: chunk.text } : { content: chunk.text };
      first = false;
      yield { ...head, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: chunk.finishReason ?? null }] };
    }
  } finally {
    await chunks.return();
  }
  if (stats) yield { ...head, object: 'chat.completion.chunk', choices: [], usage: usageOf(stats), stats };
}

async function collect(chunks: AsyncGenerator<GenerateChunk, void, undefined>, head: Head): Promise<ChatCompletion> {
  let content = '';
  let last: GenerateChunk | undefined;
  for await (const chunk of chunks) {
    content += chunk.text;
    last = chunk;
  }
  if (!last?.finishReason) throw new ForesightError('internal', 'the generation ended without a finish reason');
  return {
    ...head,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: last.finishReason }],
    usage: usageOf(last.stats),
    stats: last.stats,
  };
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
