/**
 * `foresight run`: generate from a local model (GGUF file or Hugging Face folder), an `hf:` name or a URL,
 * on WebGPU through Dawn (npm `webgpu`). Text streams to stdout; `--json` prints one object instead.
 * Errors go to stderr as `error [code]: message` with exit code 1 (2 for bad arguments).
 */
import { createNodeGpuContext } from '../gpu/node-gpu';
import type { GpuContext } from '../gpu/context';
import type { LanguageModel } from '../decode/language-model';
import { createNodeEngine } from '../engine/node-engine';
import { deviceModelBuilder } from '../engine/model-builders';
import type { GenerateChunk, GenerateOptions } from '../engine/types';
import { ForesightError } from '../errors';
import { logSoftmax } from './log-softmax';
import { parseRunArgs, USAGE, type RunArgs } from './cli-args';

interface RunOutput {
  tokens: number[];
  text: string;
  tokensPerSecond: number;
  finishReason: string;
  adapter: Record<string, unknown>;
  stats: {
    drafted: number;
    accepted: number;
    acceptanceRate: number;
    meanAcceptedLength: number;
    draftMs: number;
    verifyMs: number;
    tokensPerSecond: number;
  };
  /** (vocab,) log-probabilities of the token after the prompt, with --logits. */
  logits?: number[];
}

export async function run(args: RunArgs, out: (s: string) => void): Promise<RunOutput> {
  let context: GpuContext | undefined;
  let target: LanguageModel | undefined;
  const gpuBuilder = deviceModelBuilder(async () => (context = await createNodeGpuContext()));
  const engine = createNodeEngine({
    buildModel: async (weights, name, device) => {
      const model = await gpuBuilder(weights, name, device);
      target ??= model; // the pair loader builds the target first
      return model;
    },
  });
  try {
    await engine.load({ target: args.model, draft: args.draft, drafting: args.drafting });
    const options: GenerateOptions = {
      ...(args.promptIds ? { promptIds: args.promptIds } : { prompt: args.prompt }),
      maxNewTokens: args.maxNewTokens,
      temperature: args.temperature,
      topK: args.topK,
      topP: args.topP,
      minP: args.minP,
      repetitionPenalty: args.repetitionPenalty,
      seed: args.seed,
      drafting: args.drafting,
      speculative: args.k === undefined ? undefined : { k: args.k },
    };
    const tokens: number[] = [];
    let text = '';
    let last: GenerateChunk | undefined;
    for await (const chunk of engine.generate(options)) {
      tokens.push(...chunk.tokens);
      text += chunk.text;
      if (!args.json) out(chunk.text);
      last = chunk;
    }
    const s = last!.stats;
    const result: RunOutput = {
      tokens,
      text,
      tokensPerSecond: s.tokensPerSecond,
      finishReason: last!.finishReason ?? 'length',
      adapter: context ? { ...context.profile } : { kind: 'cpu' },
      stats: {
        drafted: s.drafted,
        accepted: s.accepted,
        acceptanceRate: s.acceptanceRate,
        meanAcceptedLength: s.meanAcceptedLength,
        draftMs: s.draftMs,
        verifyMs: s.verifyMs,
        tokensPerSecond: s.tokensPerSecond,
      },
    };
    if (args.logits) {
      const prompt = args.promptIds ?? engine.tokenize(args.prompt!);
      const logits = await target!.forward(prompt, 0);
      result.logits = Array.from(logSoftmax(logits));
    }
    return result;
  } finally {
    await engine.dispose();
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'run') {
    process.stderr.write(`${command === undefined ? 'no command given' : `unknown command "${command}"`}\n${USAGE}\n`);
    return 2;
  }
  let args: RunArgs;
  try {
    args = parseRunArgs(rest);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    const result = await run(args, (s) => process.stdout.write(s));
    if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write('\n');
    return 0;
  } catch (err) {
    const code = err instanceof ForesightError ? err.code : 'internal';
    process.stderr.write(`error [${code}]: ${(err as Error).message}\n`);
    if (process.env.FORESIGHT_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}

// Run when executed directly (`node dist/node/cli.js run ...`); bin/foresight.js calls main() itself.
if (typeof process !== 'undefined' && process.argv[1] && /[\\/]cli\.(js|ts)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
