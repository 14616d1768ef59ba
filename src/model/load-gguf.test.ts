import { describe, expect, it } from 'vitest';
import { expectSameValues } from '../../test/utils/compare';
import { meta } from '../../test/utils/gguf-writer';
import { type GgufExportOptions, modelToGguf } from '../../test/utils/model-files';
import { SHAPES, randomModel } from '../../test/utils/random-model';
import { bytesSource } from './byte-source';
import { GgufType } from './gguf';
import { permuteQk, unpermuteQk } from './gguf-permute';
import { loadGguf } from './load-gguf';
import { loadModelFile } from './load';

const llama = randomModel(SHAPES.llama, 11);
const load = (opts: Partial<GgufExportOptions> = {}, model = llama) =>
  loadGguf(bytesSource('m.gguf', modelToGguf(model, { dtype: 'f32', ...opts })));

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e) => e,
  );
}

describe('GGUF Q/K permutation', () => {
  it('unpermute inverts permute, and pairs rotate_half rows (i, i + d/2) into adjacent GGUF rows', () => {
    const heads = 3, headDim = 8, cols = 2;
    const x = Float32Array.from({ length: heads * headDim * cols }, (_, i) => i);
    const p = permuteQk(x, heads, cols);
    expect([...unpermuteQk(p, heads, cols)]).toEqual([...x]);
    // Head 1, pair i = 2: HF rows 8+2 and 8+2+4 become GGUF rows 8+4 and 8+5.
    expect(p[(8 + 4) * cols]).toBe(x[(8 + 2) * cols]);
    expect(p[(8 + 5) * cols]).toBe(x[(8 + 6) * cols]);
  });
});

describe('loadGguf', () => {
  it('gives canonical names, shapes and values; undoes the Llama Q/K permutation', async () => {
    const w = await load();
    expect(w.config).toEqual(llama.config);
    for (const [name, values] of llama.tensors) {
      expect(w.tensors.get(name)?.dtype).toBe('f32');
      expectSameValues(await w.readF32(name), values, name);
    }
    expect(w.tensors.get('model.layers.1.self_attn.k_proj.weight')?.shape).toEqual([32, 64]);
    expect(w.tensors.get('lm_head.weight')?.file).toBe('m.gguf');
  });

  it('leaves qwen2 / qwen3 rows as they are (llama.cpp runs them in NEOX mode)', async () => {
    for (const shape of [SHAPES.qwen2, SHAPES.qwen3]) {
      const model = randomModel(shape, 3);
      const w = await load({}, model);
      expect(w.config).toEqual(model.config);
      const q = 'model.layers.0.self_attn.q_proj.weight';
      expectSameValues(await w.readF32(q), model.tensors.get(q)!, q);
      expect(w.tensors.has('lm_head.weight')).toBe(!model.config.tieWordEmbeddings);
    }
  });

  it('recovers Llama 3 rope scaling from rope_freqs.weight', async () => {
    const model = randomModel(SHAPES.llama3Scaled, 5);
    const w = await load({}, model);
    const s = w.config.ropeScaling!;
    const want = model.config.ropeScaling!;
    expect(s.factor).toBeCloseTo(want.factor, 4);
    expect(s.highFreqFactor / s.lowFreqFactor).toBeCloseTo(want.highFreqFactor / want.lowFreqFactor, 3);
    expect(s.originalMaxPositionEmbeddings / s.lowFreqFactor).toBeCloseTo(want.originalMaxPositionEmbeddings / want.lowFreqFactor, 2);
    expect(w.tensors.has('rope_freqs.weight')).toBe(false);
  });

  it('decodes f16 / q8_0 / q4_0 tensors and names their dtype', async () => {
    const w = await load({ dtype: 'f16', overrides: { 'model.embed_tokens.weight': 'q8_0', 'lm_head.weight': 'q4_0' } });
    expect(w.tensors.get('model.embed_tokens.weight')?.dtype).toBe('q8_0');
    expect(w.tensors.get('lm_head.weight')?.dtype).toBe('q4_0');
    expect(w.tensors.get('model.layers.0.mlp.up_proj.weight')?.dtype).toBe('f16');
    expect(w.tensors.get('model.norm.weight')?.dtype).toBe('f32');
    const q = await w.readF32('model.layers.0.self_attn.q_proj.weight');
    const want = llama.tensors.get('model.layers.0.self_attn.q_proj.weight')!;
    for (let i = 0; i < q.length; i++) expect(Math.abs(q[i] - want[i])).toBeLessThan(2e-3 * Math.abs(want[i]) + 1e-7);
  });
});

describe('loadGguf rejects bad input with a typed error naming the file / tensor / field', () => {
  const cases: [string, Partial<GgufExportOptions>, string, RegExp][] = [
    [
      'a missing tensor',
      { editTensors: (ts) => ts.filter((t) => t.name !== 'blk.1.ffn_up.weight') },
      'missing-tensor',
      /model\.layers\.1\.mlp\.up_proj\.weight \(blk\.1\.ffn_up\.weight\) is missing from m\.gguf/,
    ],
    [
      'a wrongly shaped tensor',
      { editTensors: (ts) => ts.map((t) => (t.name === 'blk.0.ffn_norm.weight' ? { ...t, dims: [32], data: t.data.subarray(0, 128) } : t)) },
      'tensor-shape',
      /blk\.0\.ffn_norm\.weight\) in m\.gguf has shape \[32\], expected \[64\]/,
    ],
    [
      'metadata with fewer layers than the file',
      { editMeta: (m) => m.map((e) => (e.key === 'llama.block_count' ? meta.u32(e.key, 1) : e)) },
      'config-mismatch',
      /llama\.block_count is 1 but the file has layer 1/,
    ],
    [
      'metadata with another hidden size',
      { editMeta: (m) => m.map((e) => (e.key === 'llama.embedding_length' ? meta.u32(e.key, 128) : e)) },
      'config-mismatch',
      /llama\.embedding_length gives hidden size 128, the tensor has shape \[320, 64\]/,
    ],
    [
      'metadata with another head count',
      { editMeta: (m) => m.map((e) => (e.key === 'llama.attention.head_count_kv' ? meta.u32(e.key, 4) : e)) },
      'config-mismatch',
      /head_count_kv x llama\.attention\.key_length gives key width 64/,
    ],
    [
      'a vocabulary that does not match the embeddings',
      { editMeta: (m) => m.map((e) => (e.key === 'tokenizer.ggml.tokens' ? meta.arr(e.key, GgufType.STRING, (e.value as string[]).slice(0, 300)) : e)) },
      'config-mismatch',
      /tokenizer\.ggml\.tokens has 300 tokens but token_embd\.weight has 320 rows/,
    ],
    [
      'an unsupported architecture',
      { editMeta: (m) => m.map((e) => (e.key === 'general.architecture' ? meta.str(e.key, 'gpt2') : e)) },
      'unsupported-architecture',
      /m\.gguf: general\.architecture "gpt2" is not supported/,
    ],
    [
      'an unsupported tensor type',
      {
        editTensors: (ts) =>
          ts.map((t) => (t.name === 'blk.0.ffn_down.weight' ? { ...t, dims: [256, 40], ggmlType: 10, data: new Uint8Array(40 * 84) } : t)),
      },
      'unsupported-dtype',
      /m\.gguf: tensor blk\.0\.ffn_down\.weight has type Q2_K/,
    ],
    [
      'a tensor the architecture does not have',
      {
        editTensors: (ts) => [...ts, { ...ts.find((t) => t.name === 'blk.0.attn_norm.weight')!, name: 'blk.0.attn_q.bias' }],
      },
      'config-mismatch',
      /tensor model\.layers\.0\.self_attn\.q_proj\.bias \(blk\.0\.attn_q\.bias\) in m\.gguf: a llama model with this config has no such tensor/,
    ],
    [
      'a missing required metadata key',
      { editMeta: (m) => m.filter((e) => e.key !== 'llama.attention.layer_norm_rms_epsilon') },
      'config-mismatch',
      /m\.gguf: metadata llama\.attention\.layer_norm_rms_epsilon is missing/,
    ],
  ];
  for (const [what, opts, code, message] of cases) {
    it(what, async () => {
      expect(await rejection(load(opts))).toMatchObject({ code, message: expect.stringMatching(message) });
    });
  }

  it('a truncated file', async () => {
    const bytes = modelToGguf(llama, { dtype: 'f32' });
    const err = await rejection(loadGguf(bytesSource('cut.gguf', bytes.subarray(0, bytes.length - 1000))));
    expect(err).toMatchObject({ code: 'model-format', message: expect.stringMatching(/cut\.gguf: file is truncated: tensor \S+ needs bytes/) });
  });

  it('a file that is neither GGUF nor safetensors, and a lone safetensors file', async () => {
    const text = bytesSource('notes.txt', new TextEncoder().encode('just some text, not a model at all'));
    expect(await rejection(loadModelFile(text))).toMatchObject({ code: 'model-format', message: 'notes.txt: not a GGUF or safetensors model file' });
    const st = new Uint8Array(16);
    st[0] = 2;
    st.set(new TextEncoder().encode('{}'), 8);
    expect(await rejection(loadModelFile(bytesSource('model.safetensors', st)))).toMatchObject({
      message: expect.stringMatching(/needs its config\.json/),
    });
  });
});
