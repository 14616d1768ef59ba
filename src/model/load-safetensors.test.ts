import { describe, expect, it } from 'vitest';
import { expectSameValues } from '../../test/utils/compare';
import { type HfExportOptions, memoryFolder, modelToHf, storedValues } from '../../test/utils/model-files';
import { SHAPES, randomModel } from '../../test/utils/random-model';
import { writeSafetensors } from '../../test/utils/safetensors-writer';
import { bytesSource } from './byte-source';
import { loadHfModel } from './load-safetensors';
import { readSafetensorsHeader } from './safetensors';

const qwen2 = randomModel(SHAPES.qwen2, 21);
const load = (opts: Partial<HfExportOptions> = {}, model = qwen2, edit?: (files: Map<string, Uint8Array>) => void) => {
  const files = modelToHf(model, { dtype: 'f32', ...opts });
  edit?.(files);
  return loadHfModel(memoryFolder(files), 'qwen');
};

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e) => e,
  );
}

describe('readSafetensorsHeader', () => {
  it('reads names, dtypes, shapes and absolute offsets', async () => {
    const a = new Uint8Array(24).fill(1);
    const b = new Uint8Array(8).fill(2);
    const bytes = writeSafetensors([
      { name: 'a', dtype: 'F32', shape: [2, 3], data: a },
      { name: 'b', dtype: 'I64', shape: [1], data: b },
    ]);
    const f = await readSafetensorsHeader(bytesSource('x.safetensors', bytes));
    expect(f.metadata).toEqual({ format: 'pt' });
    const ta = f.tensors.get('a')!;
    expect([ta.dtype, ta.shape, ta.byteLength]).toEqual(['f32', [2, 3], 24]);
    expect([...bytes.subarray(ta.offset, ta.offset + 24)]).toEqual([...a]);
    expect(f.tensors.get('b')!.dtype).toBeUndefined();
    expect(f.tensors.get('b')!.storedDtype).toBe('I64');
  });

  it('rejects non-safetensors, corrupt headers and truncated files with the file name', async () => {
    const good = writeSafetensors([{ name: 'a', dtype: 'F32', shape: [4], data: new Uint8Array(16) }]);
    const cases: [Uint8Array, RegExp][] = [
      [new TextEncoder().encode('GGUF....................'), /x\.safetensors: not a safetensors file/],
      [good.subarray(0, 5), /too short/],
      [good.subarray(0, 20), /x\.safetensors: file is truncated: header needs/],
      [good.subarray(0, good.length - 4), /x\.safetensors: file is truncated: tensor a needs data bytes \[0, 16\)/],
      [(() => { const c = new Uint8Array(good); c[9] = 0x21; return c; })(), /x\.safetensors: header is not valid JSON/],
      [writeSafetensors([{ name: 'a', dtype: 'F32', shape: [5], data: new Uint8Array(16) }]), /tensor a: shape \[5\] of F32 needs 20 bytes, data_offsets give 16/],
    ];
    for (const [bytes, message] of cases) {
      expect(await rejection(readSafetensorsHeader(bytesSource('x.safetensors', bytes))), String(message)).toMatchObject({
        code: 'model-format',
        message: expect.stringMatching(message),
      });
    }
  });
});

describe('loadHfModel', () => {
  it('reads config.json + model.safetensors into canonical weights', async () => {
    const w = await load();
    expect(w.config).toEqual(qwen2.config);
    for (const [name, values] of qwen2.tensors) expectSameValues(await w.readF32(name), values, name);
  });

  it('reads shards through model.safetensors.index.json, and F16 / BF16 tensors', async () => {
    for (const dtype of ['f16', 'bf16'] as const) {
      const w = await load({ dtype, shards: 3 });
      expect(w.tensors.get('model.norm.weight')?.file).toMatch(/^model-0000[123]-of-00003\.safetensors$/);
      for (const name of ['model.embed_tokens.weight', 'model.layers.1.self_attn.k_proj.bias', 'lm_head.weight']) {
        expectSameValues(await w.readF32(name), storedValues(dtype, qwen2.tensors.get(name)!), name);
      }
    }
  });

  it('ignores lm_head.weight when embeddings are tied, and rotary inv_freq buffers', async () => {
    const tied = randomModel(SHAPES.qwen3, 4);
    const w = await load({
      editTensors: (ts) => [
        ...ts,
        { name: 'lm_head.weight', dtype: 'F32', shape: [288, 64], data: new Uint8Array(288 * 64 * 4) },
        { name: 'model.rotary_emb.inv_freq', dtype: 'F32', shape: [16], data: new Uint8Array(64) },
      ],
    }, tied);
    expect(w.tensors.has('lm_head.weight')).toBe(false);
    expect(w.config.tieWordEmbeddings).toBe(true);
  });
});

describe('loadHfModel rejects bad input with a typed error naming the file / tensor / field', () => {
  it('no config.json, or no weights', async () => {
    expect(await rejection(load({}, qwen2, (f) => f.delete('config.json')))).toMatchObject({ code: 'model-format', message: 'qwen: config.json not found' });
    expect(await rejection(load({}, qwen2, (f) => f.delete('model.safetensors')))).toMatchObject({
      code: 'model-format',
      message: 'qwen: weights file model.safetensors not found',
    });
  });

  const cases: [string, Partial<HfExportOptions>, string, RegExp][] = [
    [
      'a missing tensor',
      { editTensors: (ts) => ts.filter((t) => t.name !== 'model.layers.1.self_attn.v_proj.bias') },
      'missing-tensor',
      /tensor model\.layers\.1\.self_attn\.v_proj\.bias is missing from model\.safetensors/,
    ],
    [
      'a wrongly shaped tensor',
      { editTensors: (ts) => ts.map((t) => (t.name === 'model.layers.0.mlp.down_proj.weight' ? { ...t, shape: [192, 96] } : t)) },
      'tensor-shape',
      /model\.layers\.0\.mlp\.down_proj\.weight in model\.safetensors has shape \[192, 96\], expected \[96, 192\] from qwen\/config\.json/,
    ],
    [
      'a config whose vocab_size disagrees with the embeddings',
      { editConfig: (c) => ({ ...c, vocab_size: 500 }) },
      'config-mismatch',
      /qwen\/config\.json disagrees with tensor model\.embed_tokens\.weight in model\.safetensors: vocab_size gives vocabulary size 500/,
    ],
    [
      'a config with fewer layers than the weights',
      { editConfig: (c) => ({ ...c, num_hidden_layers: 1 }) },
      'config-mismatch',
      /num_hidden_layers is 1 but the file has layer 1/,
    ],
    [
      'a config with another intermediate_size',
      { editConfig: (c) => ({ ...c, intermediate_size: 256 }) },
      'config-mismatch',
      /intermediate_size gives MLP width 256/,
    ],
    [
      'an unsupported dtype',
      { editTensors: (ts) => ts.map((t) => (t.name === 'model.norm.weight' ? { ...t, dtype: 'F64', data: new Uint8Array(96 * 8) } : t)) },
      'unsupported-dtype',
      /model\.safetensors: tensor model\.norm\.weight has dtype F64/,
    ],
    [
      'an unsupported model type',
      { editConfig: (c) => ({ ...c, model_type: 'gpt_neox' }) },
      'unsupported-architecture',
      /qwen\/config\.json: model_type "gpt_neox"/,
    ],
  ];
  for (const [what, opts, code, message] of cases) {
    it(what, async () => {
      expect(await rejection(load(opts))).toMatchObject({ code, message: expect.stringMatching(message) });
    });
  }

  it('an index that lists a tensor its shard lacks', async () => {
    const err = await rejection(
      load({ shards: 2 }, qwen2, (files) => {
        const index = JSON.parse(new TextDecoder().decode(files.get('model.safetensors.index.json')));
        index.weight_map['model.layers.0.self_attn.q_proj.weight'] = 'model-00002-of-00002.safetensors';
        files.set('model.safetensors.index.json', new TextEncoder().encode(JSON.stringify(index)));
      }),
    );
    expect(err).toMatchObject({ code: 'missing-tensor', message: expect.stringMatching(/q_proj\.weight is listed in model\.safetensors\.index\.json but missing from model-00002/) });
  });
});
