/**
 * Argument parsing for `foresight run`. Pure: no I/O, so it is unit-tested on its own.
 * Every problem is an InvalidArgumentError whose message names the flag.
 */
import { InvalidArgumentError } from '../errors';

export type Drafting = 'model' | 'prompt-lookup' | 'auto' | 'none';

export interface RunArgs {
  model: string;
  draft?: string;
  prompt?: string;
  promptIds?: number[];
  maxNewTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  minP?: number;
  repetitionPenalty?: number;
  seed?: number;
  drafting?: Drafting;
  k?: number | 'auto';
  json: boolean;
  logits: boolean;
}

export const USAGE = `usage: foresight run --model <file.gguf | HF folder> (--prompt "text" | --prompt-ids 1,2,3)
                     [--max-new-tokens N] [--temperature T] [--top-k N] [--top-p P] [--min-p P]
                     [--repetition-penalty R] [--seed S]
                     [--draft <file.gguf | HF folder>] [--drafting model|prompt-lookup|auto|none] [--k N|auto]
                     [--json] [--logits]
  --prompt-ids are fed exactly as given (no BOS added); --prompt text is tokenized by the model's rules.`;

const DRAFTING: readonly Drafting[] = ['model', 'prompt-lookup', 'auto', 'none'];

function number(flag: string, raw: string | undefined, opts: { integer?: boolean; min?: number; max?: number } = {}): number {
  if (raw === undefined || raw.startsWith('--')) throw new InvalidArgumentError(`${flag} needs a value`);
  const v = Number(raw);
  if (!Number.isFinite(v) || (opts.integer && !Number.isInteger(v))) {
    throw new InvalidArgumentError(`${flag} must be ${opts.integer ? 'an integer' : 'a number'}, got "${raw}"`);
  }
  if (opts.min !== undefined && v < opts.min) throw new InvalidArgumentError(`${flag} must be ≥ ${opts.min}, got ${v}`);
  if (opts.max !== undefined && v > opts.max) throw new InvalidArgumentError(`${flag} must be ≤ ${opts.max}, got ${v}`);
  return v;
}

function text(flag: string, raw: string | undefined): string {
  if (raw === undefined) throw new InvalidArgumentError(`${flag} needs a value`);
  return raw;
}

/** Parses the arguments after `run`. */
export function parseRunArgs(argv: readonly string[]): RunArgs {
  const out: Partial<RunArgs> = { maxNewTokens: 32, temperature: 0, json: false, logits: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => argv[++i];
    switch (flag) {
      case '--model': out.model = text(flag, next()); break;
      case '--draft': out.draft = text(flag, next()); break;
      case '--prompt': out.prompt = text(flag, next()); break;
      case '--prompt-ids': {
        const raw = text(flag, next());
        const ids = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
        if (ids.length === 0) throw new InvalidArgumentError('--prompt-ids needs at least one token id');
        out.promptIds = ids.map((s) => number('--prompt-ids', s, { integer: true, min: 0 }));
        break;
      }
      case '--max-new-tokens': out.maxNewTokens = number(flag, next(), { integer: true, min: 0 }); break;
      case '--temperature': out.temperature = number(flag, next(), { min: 0 }); break;
      case '--top-k': out.topK = number(flag, next(), { integer: true, min: 0 }); break;
      case '--top-p': out.topP = number(flag, next(), { min: 0, max: 1 }); break;
      case '--min-p': out.minP = number(flag, next(), { min: 0, max: 1 }); break;
      case '--repetition-penalty': out.repetitionPenalty = number(flag, next(), { min: 0 }); break;
      case '--seed': out.seed = number(flag, next(), { integer: true, min: 0 }); break;
      case '--drafting': {
        const v = text(flag, next());
        if (!DRAFTING.includes(v as Drafting)) {
          throw new InvalidArgumentError(`--drafting must be one of ${DRAFTING.join(', ')}, got "${v}"`);
        }
        out.drafting = v as Drafting;
        break;
      }
      case '--k': {
        const v = text(flag, next());
        out.k = v === 'auto' ? 'auto' : number(flag, v, { integer: true, min: 1, max: 16 });
        break;
      }
      case '--json': out.json = true; break;
      case '--logits': out.logits = true; break;
      default:
        throw new InvalidArgumentError(`unknown argument "${flag}"\n${USAGE}`);
    }
  }
  if (!out.model) throw new InvalidArgumentError(`--model is required\n${USAGE}`);
  if ((out.prompt === undefined) === (out.promptIds === undefined)) {
    throw new InvalidArgumentError(`give exactly one of --prompt or --prompt-ids\n${USAGE}`);
  }
  if (out.drafting === 'model' && !out.draft) throw new InvalidArgumentError('--drafting model needs --draft <model>');
  return out as RunArgs;
}
