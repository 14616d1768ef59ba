/**
 * The committed fixture pair (public/models/tiny-target, tiny-draft):
 *  - the Hugging Face files and the GGUF files hold the same weights (read through both loaders, so the
 *    GGUF Q/K permutation is undone before comparing);
 *  - the CPU reference greedy-matches llama.cpp for 64 tokens on the golden prompts (and the torch golden ids).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadModelPath } from '../../src/model/load-node';
import { ReferenceModel } from '../../src/model/reference';
import { expectSameValues } from '../utils/compare';
import { runOracle } from '../utils/llama-oracle';
import { compareWithOracle } from '../utils/oracle-check';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const GREEDY = 64;

interface Golden {
  cases: { text: string; prompt_ids: number[]; greedy_64: number[] }[];
}

/** Relative RMS error of `got` against `want`. */
function relRmse(got: Float32Array, want: Float32Array): number {
  let err = 0, norm = 0;
  for (let i = 0; i < want.length; i++) {
    err += (got[i] - want[i]) ** 2;
    norm += want[i] ** 2;
  }
  return Math.sqrt(err / norm);
}

for (const name of ['tiny-target', 'tiny-draft']) {
  const dir = `${MODELS}${name}`;

  describe(`fixture ${name}`, () => {
    it('HF safetensors and the GGUF files hold the same weights', async () => {
      const hf = await loadModelPath(dir);
      const f16 = await loadModelPath(`${dir}/${name}-f16.gguf`);
      expect(f16.config).toEqual({ ...hf.config, eosTokenIds: f16.config.eosTokenIds });
      expect([...f16.tensors.keys()].sort()).toEqual([...hf.tensors.keys()].sort());
      for (const t of hf.tensors.keys()) expectSameValues(await f16.readF32(t), await hf.readF32(t), `${name} f16 GGUF ${t}`);

      // Quantized files: close to the same values, row for row (a permutation mistake gives an error near sqrt(2)).
      for (const [q, bound] of [['q8_0', 0.01], ['q4_0', 0.2]] as const) {
        const w = await loadModelPath(`${dir}/${name}-${q}.gguf`);
        for (const t of hf.tensors.keys()) {
          if (hf.tensors.get(t)!.shape.length < 2) continue;
          expect(relRmse(await w.readF32(t), await hf.readF32(t)), `${q} ${t}`).toBeLessThan(bound);
        }
      }
    });

    it(`the CPU reference greedy-matches llama.cpp for ${GREEDY} tokens`, async () => {
      const golden: Golden = JSON.parse(await readFile(`${dir}/golden.json`, 'utf8'));
      const weights = await loadModelPath(dir);
      const ref = await ReferenceModel.load(weights, { maxLength: 128 });
      for (const c of golden.cases) {
        const oracle = await runOracle(`${dir}/${name}-f16.gguf`, c.prompt_ids, GREEDY, weights.config.vocabSize);
        const r = await compareWithOracle(ref, c.prompt_ids, oracle);
        console.info(`${name} "${c.text}": max |Δp| ${r.maxDp.toExponential(2)} over the prompt`);
        expect(r.maxDp, c.text).toBeLessThanOrEqual(1e-3);
        expect(r.greedy, c.text).toEqual(oracle.greedy);
        expect(r.greedy, `${c.text} (torch golden)`).toEqual(c.greedy_64);
      }
    });
  });
}
