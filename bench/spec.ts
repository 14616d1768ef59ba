/**
 * Speculative decoding benchmark: plain vs speculative tokens/s on one draft/target pair, side by side
 * in one run, at temperature 0 and 1, for k = 2, 4, 6 and auto with the draft model (general prompts)
 * and with prompt lookup (input-grounded prompts). Reports the acceptance rate α, the measured
 * draft/target cost ratio c, the analytic speedup (1 − α^(k+1)) / ((1 − α)(c·k + 1)) and
 * measured/analytic efficiency. Writes bench/spec.json and prints a table.
 *
 * Every rep runs, on each prompt: the target alone, the draft alone (→ c, for the draft model; for
 * prompt lookup c is its lookup time per proposed token over the target's time per token), and each
 * k; so machine load drifts over all columns alike. Figures are medians over runs of tokens/s
 * (prefill excluded). For auto, "analytic" is the best the formula allows at the measured α and c
 * over k = 0..8. "verify/plain" is a verify pass's time over a plain target step's: about 1 on a GPU
 * (the formula's assumption), about k+1 on a CPU, where speculation cannot pay.
 *
 *   npm run bench:spec -- [--tokens=48] [--reps=3] [--temps=0,1] [--ks=2,4,6,auto] [--out=bench/spec.json]
 *   FORESIGHT_SPEC_BACKEND=gpu npm run bench:spec     (see bench/spec-models.ts)
 */
import { writeFile } from 'node:fs/promises';
import { modelDrafter } from '../src/decode/draft-model';
import type { Drafter } from '../src/decode/drafter';
import { generate, type GenerateOptions } from '../src/decode/generate';
import { promptLookupDrafter } from '../src/decode/prompt-lookup';
import { expectedSpeedup } from '../src/decode/speedup';
import type { GenerationStats } from '../src/decode/stats';
import { loadSpecPair } from './spec-models';

const GENERAL = ['It was a fine morning, and', 'The people of the United States', 'She had never', 'Call me Ishmael. Some years ago'];

// Input-grounded: a passage, then its opening again, so the natural continuation copies the input
// (the situation of summarising or editing, where prompt lookup pays).
const PASSAGES = [
  'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. However little known the feelings or views of such a man may be on his first entering a neighbourhood, this truth is so well fixed in the minds of the surrounding families, that he is considered the rightful property of some one or other of their daughters.',
  'Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of the world. It is a way I have of driving off the spleen, and regulating the circulation.',
  'I embrace with great satisfaction the opportunity which now presents itself of congratulating you on the present favorable prospects of our public affairs. The recent accession of the important State of North Carolina to the Constitution of the United States gives new accession of strength to our Union.',
];
const GROUNDED = PASSAGES.map((p) => `${p}\n\n${p.split(' ').slice(0, 6).join(' ')}`);

interface Args {
  tokens: number;
  reps: number;
  temps: number[];
  ks: (number | 'auto')[];
  out: string;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, dflt: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
  return {
    tokens: Number(get('tokens', '48')),
    reps: Number(get('reps', '3')),
    temps: get('temps', '0,1').split(',').map(Number),
    ks: get('ks', '2,4,6,auto').split(',').map((k) => (k === 'auto' ? 'auto' : Number(k))),
    out: get('out', 'bench/spec.json'),
  };
}

/** Totals of one configuration over all its runs. */
interface Tally {
  tps: number[]; // tokens/s of each run
  stats: GenerationStats[];
  rejections: number; // steps that ended at a rejection
}

const newTally = (): Tally => ({ tps: [], stats: [], rejections: 0 });

async function run(prompt: number[], opts: GenerateOptions, into: Tally) {
  let last: GenerationStats | undefined;
  for await (const c of generate(prompt, opts)) {
    if (c.step.accepted < c.step.drafted) into.rejections++;
    last = c.totals;
  }
  into.tps.push(last!.tokensPerSecond);
  into.stats.push(last!);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const sum = (t: Tally, f: (s: GenerationStats) => number) => t.stats.reduce((a, s) => a + f(s), 0);

interface Row {
  temperature: number;
  prompts: 'general' | 'grounded';
  drafting: 'model' | 'prompt-lookup';
  k: number | 'auto';
  plainTokensPerSecond: number; // median over runs
  specTokensPerSecond: number; // median over runs
  speedup: number; // ratio of the medians
  alpha: number; // per-token acceptance: accepted / (accepted + rejections)
  acceptanceRate: number; // accepted / drafted
  meanK: number; // tokens drafted per drafting step
  tokensPerStep: number;
  c: number; // draft forward cost / target forward cost
  verifyCost: number; // verify pass ms / plain target token ms (1 when a pass costs the same for k+1 tokens)
  analyticSpeedup: number;
  efficiency: number; // speedup / analyticSpeedup
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const pair = await loadSpecPair();
  const { target, draft } = pair;
  const general = GENERAL.map(pair.encode);
  const grounded = GROUNDED.map(pair.encode);
  const longest = Math.max(...[...general, ...grounded].map((p) => p.length)) + args.tokens;
  if (longest > Math.min(target.maxLength, draft.maxLength)) throw new Error(`prompts + ${args.tokens} tokens exceed the context`);
  console.log(`${pair.name} on ${pair.backend}: ${args.tokens} tokens per run, ${args.reps} reps`);

  // warm-up: JIT, and shader compilation for one-token and multi-token (verify) passes
  const base = { maxTokens: args.tokens } as const;
  for (const m of [target, draft]) await run(general[0], { target: m, maxTokens: 8 }, newTally());
  await run(general[0], { target, drafter: modelDrafter(draft), k: 6, maxTokens: 8 }, newTally());
  await run(grounded[0], { target, drafter: promptLookupDrafter(), k: 6, maxTokens: 8 }, newTally());

  const rows: Row[] = [];
  for (const temperature of args.temps) {
    const sampling = { temperature };
    for (const [set, prompts, drafting] of [
      ['general', general, 'model'],
      ['grounded', grounded, 'prompt-lookup'],
    ] as const) {
      const plain = newTally();
      const draftAlone = newTally();
      const spec = new Map(args.ks.map((k) => [k, newTally()]));
      const drafter = (): Drafter => (drafting === 'model' ? modelDrafter(draft) : promptLookupDrafter());
      // interleaved: every rep runs plain and each k on each prompt, so drift hits all alike
      for (let rep = 0; rep < args.reps; rep++) {
        for (const [i, prompt] of prompts.entries()) {
          const seed = 1000 * rep + i;
          await run(prompt, { ...base, target, sampling, seed }, plain);
          await run(prompt, { ...base, target: draft, sampling, seed }, draftAlone);
          for (const k of args.ks) await run(prompt, { ...base, target, drafter: drafter(), k, sampling, seed }, spec.get(k)!);
        }
      }
      const plainTps = median(plain.tps);
      const targetMs = 1000 / plainTps; // per token
      const c = median(draftAlone.tps) > 0 ? plainTps / median(draftAlone.tps) : NaN;
      console.log(`T=${temperature} ${set}: plain ${plainTps.toFixed(1)} tok/s, draft alone ${median(draftAlone.tps).toFixed(1)} tok/s → c = ${c.toFixed(3)}`);
      for (const k of args.ks) {
        const t = spec.get(k)!;
        const accepted = sum(t, (s) => s.accepted);
        const drafted = sum(t, (s) => s.drafted);
        const alpha = accepted / Math.max(1, accepted + t.rejections);
        const meanK = drafted / Math.max(1, sum(t, (s) => s.draftingSteps));
        const cRow = drafting === 'model' ? c : sum(t, (s) => s.draftMs) / Math.max(1, drafted) / targetMs;
        const analytic =
          k === 'auto' ? Math.max(...Array.from({ length: 9 }, (_, j) => expectedSpeedup(alpha, cRow, j))) : expectedSpeedup(alpha, cRow, k);
        const specTps = median(t.tps);
        rows.push({
          temperature,
          prompts: set,
          drafting,
          k,
          plainTokensPerSecond: plainTps,
          specTokensPerSecond: specTps,
          speedup: specTps / plainTps,
          alpha,
          acceptanceRate: accepted / Math.max(1, drafted),
          meanK,
          tokensPerStep: sum(t, (s) => s.tokens) / sum(t, (s) => s.steps),
          c: cRow,
          verifyCost: sum(t, (s) => s.verifyMs) / sum(t, (s) => s.steps) / targetMs,
          analyticSpeedup: analytic,
          efficiency: specTps / plainTps / analytic,
        });
      }
    }
  }
  pair.dispose();

  const report = { pair: pair.name, backend: pair.backend, date: new Date().toISOString(), args, rows };
  await writeFile(args.out, JSON.stringify(report, null, 2) + '\n');
  printTable(rows);
  console.log(`wrote ${args.out}`);
}

function printTable(rows: Row[]) {
  const cols: [string, (r: Row) => string][] = [
    ['T', (r) => String(r.temperature)],
    ['prompts', (r) => r.prompts],
    ['drafting', (r) => r.drafting],
    ['k', (r) => String(r.k)],
    ['plain tok/s', (r) => r.plainTokensPerSecond.toFixed(1)],
    ['spec tok/s', (r) => r.specTokensPerSecond.toFixed(1)],
    ['speedup', (r) => r.speedup.toFixed(2) + 'x'],
    ['α', (r) => r.alpha.toFixed(3)],
    ['mean k', (r) => r.meanK.toFixed(2)],
    ['tok/step', (r) => r.tokensPerStep.toFixed(2)],
    ['c', (r) => r.c.toFixed(3)],
    ['verify/plain', (r) => r.verifyCost.toFixed(2)],
    ['analytic', (r) => r.analyticSpeedup.toFixed(2) + 'x'],
    ['efficiency', (r) => r.efficiency.toFixed(2)],
  ];
  const cells = [cols.map(([h]) => h), ...rows.map((r) => cols.map(([, f]) => f(r)))];
  const widths = cols.map((_, j) => Math.max(...cells.map((row) => row[j].length)));
  const line = (row: string[]) => '| ' + row.map((v, j) => v.padStart(widths[j])).join(' | ') + ' |';
  console.log(line(cells[0]));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const row of cells.slice(1)) console.log(line(row));
}

// awaited at top level: vite-node closes its module server once this module has evaluated
try {
  await main();
} catch (err) {
  console.error(err);
  process.exit(1);
}
