import { describe, expect, it } from 'vitest';
import { parseHfConfig } from './hf-config';

// Abridged from the published config.json files of each model.
const TINYLLAMA = {
  architectures: ['LlamaForCausalLM'], bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu', hidden_size: 2048,
  intermediate_size: 5632, max_position_embeddings: 2048, model_type: 'llama', num_attention_heads: 32,
  num_hidden_layers: 22, num_key_value_heads: 4, pretraining_tp: 1, rms_norm_eps: 1e-5, rope_scaling: null,
  tie_word_embeddings: false, torch_dtype: 'bfloat16', vocab_size: 32000,
};
const LLAMA32_1B = {
  architectures: ['LlamaForCausalLM'], attention_bias: false, bos_token_id: 128000, eos_token_id: [128001, 128008, 128009],
  head_dim: 64, hidden_act: 'silu', hidden_size: 2048, intermediate_size: 8192, max_position_embeddings: 131072,
  mlp_bias: false, model_type: 'llama', num_attention_heads: 32, num_hidden_layers: 16, num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  rope_theta: 500000.0, tie_word_embeddings: true, vocab_size: 128256,
};
const SMOLLM = {
  architectures: ['LlamaForCausalLM'], attention_bias: false, bos_token_id: 0, eos_token_id: 0, hidden_act: 'silu',
  hidden_size: 576, intermediate_size: 1536, max_position_embeddings: 2048, model_type: 'llama', num_attention_heads: 9,
  num_hidden_layers: 30, num_key_value_heads: 3, rms_norm_eps: 1e-5, rope_scaling: null, rope_theta: 10000.0,
  tie_word_embeddings: true, vocab_size: 49152,
};
const QWEN25_05B = {
  architectures: ['Qwen2ForCausalLM'], bos_token_id: 151643, eos_token_id: 151643, hidden_act: 'silu', hidden_size: 896,
  intermediate_size: 4864, max_position_embeddings: 32768, max_window_layers: 24, model_type: 'qwen2',
  num_attention_heads: 14, num_hidden_layers: 24, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1000000.0,
  sliding_window: 32768, tie_word_embeddings: true, use_sliding_window: false, vocab_size: 151936,
};
const QWEN3_06B = {
  architectures: ['Qwen3ForCausalLM'], attention_bias: false, bos_token_id: 151643, eos_token_id: 151645, head_dim: 128,
  hidden_act: 'silu', hidden_size: 1024, intermediate_size: 3072, max_position_embeddings: 40960, model_type: 'qwen3',
  num_attention_heads: 16, num_hidden_layers: 28, num_key_value_heads: 8, rms_norm_eps: 1e-6, rope_scaling: null,
  rope_theta: 1000000, sliding_window: null, tie_word_embeddings: true, use_sliding_window: false, vocab_size: 151936,
};

const parse = (json: object, gen?: object) =>
  parseHfConfig({ name: 'm/config.json', text: JSON.stringify(json) }, gen && { name: 'm/generation_config.json', text: JSON.stringify(gen) });

describe('parseHfConfig', () => {
  it('TinyLlama (Llama 2 layout, GQA, untied)', () => {
    expect(parse(TINYLLAMA)).toEqual({
      architecture: 'llama', vocabSize: 32000, hiddenSize: 2048, intermediateSize: 5632, numLayers: 22, numHeads: 32,
      numKvHeads: 4, headDim: 64, rmsNormEps: 1e-5, ropeTheta: 10000, maxPositionEmbeddings: 2048,
      tieWordEmbeddings: false, attentionBias: false, qkNorm: false, bosTokenId: 1, eosTokenIds: [2],
    });
  });

  it('Llama 3.2 (llama3 rope scaling, tied, several eos ids)', () => {
    const c = parse(LLAMA32_1B);
    expect(c.ropeScaling).toEqual({ type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 });
    expect(c.ropeTheta).toBe(500000);
    expect(c.tieWordEmbeddings).toBe(true);
    expect(c.eosTokenIds).toEqual([128001, 128008, 128009]);
    expect(c.headDim).toBe(64);
  });

  it('SmolLM (9 heads / 3 kv heads, tied)', () => {
    const c = parse(SMOLLM);
    expect([c.numHeads, c.numKvHeads, c.headDim, c.tieWordEmbeddings, c.bosTokenId]).toEqual([9, 3, 64, true, 0]);
  });

  it('Qwen2.5 (q/k/v bias implied; generation_config eos ids win)', () => {
    const c = parse(QWEN25_05B, { bos_token_id: 151643, eos_token_id: [151645, 151643], do_sample: true });
    expect(c.architecture).toBe('qwen2');
    expect(c.attentionBias).toBe(true);
    expect(c.qkNorm).toBe(false);
    expect(c.headDim).toBe(64);
    expect(c.eosTokenIds).toEqual([151645, 151643]);
  });

  it('Qwen3 (q/k norm, head_dim not hidden/heads)', () => {
    const c = parse(QWEN3_06B);
    expect([c.architecture, c.qkNorm, c.attentionBias, c.headDim, c.hiddenSize / c.numHeads]).toEqual(['qwen3', true, false, 128, 64]);
  });

  it('reads rope settings from rope_parameters (newer transformers)', () => {
    const { rope_scaling: _, rope_theta: __, ...rest } = LLAMA32_1B;
    const c = parse({ ...rest, rope_parameters: { ...LLAMA32_1B.rope_scaling, rope_theta: 500000 } });
    expect(c.ropeTheta).toBe(500000);
    expect(c.ropeScaling?.factor).toBe(32);
  });

  it('rejects what it cannot run, naming the field', () => {
    const cases: [object, RegExp, string][] = [
      [{ ...TINYLLAMA, model_type: 'mistral' }, /model_type "mistral"/, 'unsupported-architecture'],
      [{ ...TINYLLAMA, attention_bias: true }, /attention_bias/, 'unsupported-architecture'],
      [{ ...TINYLLAMA, mlp_bias: true }, /mlp_bias/, 'unsupported-architecture'],
      [{ ...TINYLLAMA, hidden_act: 'gelu' }, /hidden_act "gelu"/, 'unsupported-architecture'],
      [{ ...TINYLLAMA, rope_scaling: { rope_type: 'yarn', factor: 4 } }, /rope_scaling\.rope_type "yarn"/, 'unsupported-architecture'],
      [{ ...QWEN25_05B, use_sliding_window: true }, /use_sliding_window/, 'unsupported-architecture'],
      [{ ...TINYLLAMA, hidden_size: undefined }, /m\/config\.json: hidden_size is missing/, 'config-mismatch'],
      [{ ...TINYLLAMA, num_hidden_layers: '22' }, /num_hidden_layers must be a positive integer/, 'config-mismatch'],
      [{ ...TINYLLAMA, num_key_value_heads: 5 }, /not a multiple of num_key_value_heads 5/, 'config-mismatch'],
      [{ ...TINYLLAMA, eos_token_id: 'x' }, /eos_token_id/, 'config-mismatch'],
    ];
    for (const [json, message, code] of cases) {
      expect(() => parse(json), String(message)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
    }
    expect(() => parseHfConfig({ name: 'm/config.json', text: '{"model_type": ' })).toThrow(
      expect.objectContaining({ code: 'model-format', message: expect.stringMatching(/m\/config\.json: not valid JSON/) }),
    );
  });
});
