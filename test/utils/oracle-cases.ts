/**
 * The random-model cases every forward pass (CPU reference, WebGPU Transformer) is checked on against llama.cpp,
 * and their preparation: the model, its GGUF (also written to a temp dir for llama.cpp), a prompt, and
 * llama.cpp's probabilities and greedy continuation.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TensorDtype } from '../../src/model/weights';
import { type OracleResult, runOracle } from './llama-oracle';
import { modelToGguf, roundModel, writeTempFiles } from './model-files';
import { type RandomModel, type RandomModelSpec, SHAPES, randomModel } from './random-model';
import { Rng } from './rng';

export const PROMPT_LENGTH = 16;
export const GREEDY_TOKENS = 32;
/** Largest |p_ours - p_llama| allowed at any position and token. */
export const MAX_DP = 1e-3;

export interface OracleCase {
  name: string;
  spec: RandomModelSpec;
  seed: number;
  /** GGUF storage of 2-D tensors; the HF export stores the same (rounded) values. */
  dtype: 'f32' | 'f16';
  /** Quantized tensors (GGUF only; the HF export holds their dequantized values in f32). */
  quantized?: Record<string, TensorDtype>;
}

export const ORACLE_CASES: OracleCase[] = [
  { name: 'llama f32', spec: SHAPES.llama, seed: 1, dtype: 'f32' },
  { name: 'llama f16', spec: SHAPES.llama, seed: 2, dtype: 'f16' },
  { name: 'qwen2 f32', spec: SHAPES.qwen2, seed: 3, dtype: 'f32' },
  { name: 'qwen2 f16', spec: SHAPES.qwen2, seed: 4, dtype: 'f16' },
  { name: 'qwen3 f32', spec: SHAPES.qwen3, seed: 5, dtype: 'f32' },
  { name: 'qwen3 f16', spec: SHAPES.qwen3, seed: 6, dtype: 'f16' },
  { name: 'llama, Llama 3 rope scaling, tied, 4:1 GQA, f32', spec: SHAPES.llama3Scaled, seed: 7, dtype: 'f32' },
  // Only the (untied) embeddings are quantized: llama.cpp dequantizes them exactly (get_rows), while quantized
  // matmul weights make it quantize the activations too (to Q8_0), which alone moves p by ~1e-2.
  { name: 'llama, Q8_0 embeddings, f32', spec: SHAPES.llama, seed: 8, dtype: 'f32', quantized: { 'model.embed_tokens.weight': 'q8_0' } },
  { name: 'qwen2, Q4_0 embeddings, f32', spec: SHAPES.qwen2, seed: 9, dtype: 'f32', quantized: { 'model.embed_tokens.weight': 'q4_0' } },
];

export interface PreparedCase {
  /** The weights as stored (rounded to f16 / dequantized where the case says so). */
  model: RandomModel;
  gguf: Uint8Array;
  ggufPath: string;
  prompt: number[];
  oracle: OracleResult;
}

const tempDirs: string[] = [];

/** Removes the temp dirs written by prepareCase (call from afterAll). */
export async function cleanupCases(): Promise<void> {
  for (const d of tempDirs.splice(0)) await rm(d, { recursive: true, force: true });
}

export async function writeTempGguf(bytes: Uint8Array): Promise<string> {
  const dir = await writeTempFiles(new Map([['model.gguf', bytes]]));
  tempDirs.push(dir);
  return join(dir, 'model.gguf');
}

export function promptFor(seed: number, vocab: number): number[] {
  return [1, ...new Rng(1000 + seed).ints(PROMPT_LENGTH - 1, vocab)];
}

export async function prepareCase(c: OracleCase, greedyTokens = GREEDY_TOKENS): Promise<PreparedCase> {
  let model = randomModel(c.spec, c.seed);
  if (c.dtype === 'f16') model = roundModel(model, 'f16');
  for (const [name, q] of Object.entries(c.quantized ?? {})) model = roundModel(model, q, (n) => n === name);
  const gguf = modelToGguf(model, { dtype: c.dtype, overrides: c.quantized });
  const prompt = promptFor(c.seed, model.config.vocabSize);
  const ggufPath = await writeTempGguf(gguf);
  const oracle = await runOracle(ggufPath, prompt, greedyTokens, model.config.vocabSize);
  return { model, gguf, ggufPath, prompt, oracle };
}
