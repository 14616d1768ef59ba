/**
 * `foresight run` end to end, as a user runs it: a child process on Dawn (SwiftShader), on the committed
 * fixture pair. The tokens must be the torch golden ones (an independent implementation), speculative
 * decoding must not change them, and bad input must exit non-zero with a typed message on stderr.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const TARGET = 'public/models/tiny-target';
const DRAFT = 'public/models/tiny-draft';
const golden = JSON.parse(readFileSync(`${TARGET}/golden.json`, 'utf8')) as {
  cases: { prompt_ids: number[]; greedy_32: number[] }[];
};

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // From source: another test file may be rebuilding dist/ at the same time.
    const env = { ...process.env, FORESIGHT_CLI_SOURCE: '1' };
    execFile('node', ['bin/foresight.js', 'run', ...args], { timeout: 120_000, env }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('foresight run', () => {
  const { prompt_ids: prompt, greedy_32: expected } = golden.cases[0];
  const ids = prompt.join(',');

  it('greedy tokens of the fixture target equal the torch golden; --logits is a distribution', async () => {
    const r = await cli(['--model', TARGET, '--prompt-ids', ids, '--max-new-tokens', '32', '--json', '--logits']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.tokens).toEqual(expected);
    expect(typeof out.text).toBe('string');
    expect(out.tokensPerSecond).toBeGreaterThan(0);
    expect(out.adapter.kind).toBe('swiftshader');
    const logp: number[] = out.logits;
    expect(logp.length).toBe(2048);
    const mass = logp.reduce((s, v) => s + Math.exp(v), 0);
    expect(mass).toBeCloseTo(1, 5);
    // The first generated token is the argmax of the log-probabilities after the prompt.
    expect(logp.indexOf(Math.max(...logp))).toBe(expected[0]);
  });

  it('speculative decoding with the draft gives the same tokens and reports stats', async () => {
    const r = await cli(['--model', TARGET, '--draft', DRAFT, '--prompt-ids', ids, '--max-new-tokens', '32', '--k', '4', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.tokens).toEqual(expected);
    expect(out.stats.drafted).toBeGreaterThan(0);
    expect(out.stats.accepted).toBeLessThanOrEqual(out.stats.drafted);
    expect(out.stats.acceptanceRate).toBeCloseTo(out.stats.accepted / out.stats.drafted, 10);
  });

  it('bad input exits non-zero with a typed message', async () => {
    const missing = await cli(['--model', 'no/such/model', '--prompt', 'x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error \[invalid-argument\]: model path no\/such\/model: no such file or folder/);
    const badId = await cli(['--model', TARGET, '--prompt-ids', '1,99999']);
    expect(badId.code).toBe(1);
    expect(badId.stderr).toMatch(/promptIds\[1\] = 99999 is not a token id/);
    const usage = await cli(['--prompt', 'x']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--model is required/);
  });
});
