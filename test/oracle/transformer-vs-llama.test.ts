/**
 * The WebGPU Transformer (Dawn in Node, SwiftShader) against llama.cpp: the same random-model cases as the CPU
 * reference (test/utils/oracle-cases.ts), loaded through our GGUF loader, and the fixture target for 64 greedy
 * tokens. f16 GGUFs run with f16 weights on the GPU where the adapter has shader-f16 (lavapipe, when unpacked
 * by tools/lavapipe.sh), else with f32 weights (SwiftShader).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/context';
import { lavapipeContext, testContext } from '../../src/kernels/testing';
import { bytesSource } from '../../src/model/byte-source';
import { loadGguf } from '../../src/model/load-gguf';
import { loadModelPath } from '../../src/model/load-node';
import { Transformer } from '../../src/model/transformer';
import { runOracle } from '../utils/llama-oracle';
import { MAX_DP, ORACLE_CASES, cleanupCases, prepareCase } from '../utils/oracle-cases';
import { compareWithOracle } from '../utils/oracle-check';

afterAll(cleanupCases);

let swiftshader: GpuContext;
let lavapipe: GpuContext | null;
beforeAll(async () => {
  swiftshader = await testContext();
  lavapipe = await lavapipeContext();
});

describe('WebGPU Transformer vs llama.cpp on random models', () => {
  for (const c of ORACLE_CASES) {
    it(c.name, async () => {
      const { gguf, prompt, oracle } = await prepareCase(c);
      const weights = await loadGguf(bytesSource('model.gguf', gguf));
      const runs: [string, GpuContext, 'f32' | 'f16'][] = [['SwiftShader f32', swiftshader, 'f32']];
      if (c.dtype === 'f16' && lavapipe) runs.push(['lavapipe f16', lavapipe, 'f16']);
      for (const [where, ctx, weightDtype] of runs) {
        const gpu = await Transformer.load(ctx, weights, { maxLength: 64, weightDtype });
        try {
          const r = await compareWithOracle(gpu, prompt, oracle);
          console.info(`${c.name} on ${where}: max |Δp| ${r.maxDp.toExponential(2)} at ${JSON.stringify(r.at)}`);
          expect(r.maxDp, `${where}: max |Δp| at ${JSON.stringify(r.at)}`).toBeLessThanOrEqual(MAX_DP);
          expect(r.greedy, where).toEqual(oracle.greedy);
        } finally {
          gpu.dispose();
        }
      }
    });
  }
});

describe('WebGPU Transformer vs llama.cpp on the fixture target', () => {
  const dir = fileURLToPath(new URL('../../public/models/tiny-target', import.meta.url));

  it('greedy-matches llama.cpp for 64 tokens', async () => {
    const golden: { cases: { text: string; prompt_ids: number[] }[] } = JSON.parse(await readFile(`${dir}/golden.json`, 'utf8'));
    const weights = await loadModelPath(dir);
    const gpu = await Transformer.load(swiftshader, weights, { maxLength: 128, weightDtype: 'f32' });
    try {
      for (const c of golden.cases) {
        const oracle = await runOracle(`${dir}/tiny-target-f16.gguf`, c.prompt_ids, 64, weights.config.vocabSize);
        const r = await compareWithOracle(gpu, c.prompt_ids, oracle);
        console.info(`tiny-target on SwiftShader "${c.text}": max |Δp| ${r.maxDp.toExponential(2)} over the prompt`);
        expect(r.maxDp, c.text).toBeLessThanOrEqual(MAX_DP);
        expect(r.greedy, c.text).toEqual(oracle.greedy);
      }
    } finally {
      gpu.dispose();
    }
  });
});
