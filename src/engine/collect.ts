import { ForesightError } from '../errors';
import type { GenerateChunk, GenerateResult } from './types';

/** Runs a streamed generation to the end: the concatenated text, all tokens, the finish reason and the last stats. */
export async function collectGeneration(stream: AsyncIterable<GenerateChunk>): Promise<GenerateResult> {
  let text = '';
  const tokens: number[] = [];
  let last: GenerateChunk | undefined;
  for await (const chunk of stream) {
    text += chunk.text;
    tokens.push(...chunk.tokens);
    last = chunk;
  }
  if (!last?.finishReason) throw new ForesightError('internal', 'generation ended without a finish reason');
  return { text, tokens, finishReason: last.finishReason, stats: last.stats };
}
