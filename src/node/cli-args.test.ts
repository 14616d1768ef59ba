import { describe, expect, it } from 'vitest';
import { parseRunArgs } from './cli-args';
import { InvalidArgumentError } from '../errors';

describe('parseRunArgs', () => {
  it('parses a full speculative command line', () => {
    const a = parseRunArgs([
      '--model', 't.gguf', '--draft', 'd.gguf', '--prompt-ids', '1, 2,3', '--max-new-tokens', '8',
      '--temperature', '0.7', '--top-k', '40', '--top-p', '0.9', '--min-p', '0.05', '--seed', '7',
      '--drafting', 'auto', '--k', 'auto', '--json', '--logits',
    ]);
    expect(a).toEqual({
      model: 't.gguf', draft: 'd.gguf', promptIds: [1, 2, 3], maxNewTokens: 8, temperature: 0.7, topK: 40,
      topP: 0.9, minP: 0.05, seed: 7, drafting: 'auto', k: 'auto', json: true, logits: true,
    });
  });

  it('defaults to greedy, 32 tokens, text output', () => {
    expect(parseRunArgs(['--model', 'm', '--prompt', 'Hi'])).toMatchObject({
      maxNewTokens: 32, temperature: 0, json: false, logits: false, prompt: 'Hi',
    });
  });

  it.each([
    [['--prompt', 'x'], /--model is required/],
    [['--model', 'm'], /exactly one of --prompt or --prompt-ids/],
    [['--model', 'm', '--prompt', 'x', '--prompt-ids', '1'], /exactly one/],
    [['--model', 'm', '--prompt-ids', '1,a'], /--prompt-ids must be an integer, got "a"/],
    [['--model', 'm', '--prompt', 'x', '--k', '0'], /--k must be ≥ 1/],
    [['--model', 'm', '--prompt', 'x', '--drafting', 'magic'], /--drafting must be one of/],
    [['--model', 'm', '--prompt', 'x', '--drafting', 'model'], /needs --draft/],
    [['--model', 'm', '--prompt', 'x', '--top-p', '2'], /--top-p must be ≤ 1/],
    [['--model', 'm', '--prompt', 'x', '--max-new-tokens'], /--max-new-tokens needs a value/],
    [['--model', 'm', '--prompt', 'x', '--frobnicate'], /unknown argument "--frobnicate"/],
  ])('rejects %j with a typed error', (argv, message) => {
    let err: unknown;
    try {
      parseRunArgs(argv as string[]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).code).toBe('invalid-argument');
    expect((err as Error).message).toMatch(message as RegExp);
  });
});
