/**
 * Which draft/target pair `bench/spec.ts` measures. The integrator owns the choice of backend; the
 * benchmark only needs two LanguageModels, a way to encode prompts, and a name for the report.
 *
 * FORESIGHT_SPEC_BACKEND:
 *   gpu (default): the fixture pair public/models/tiny-{target,draft} on the WebGPU Transformer, Dawn in
 *        Node (SwiftShader here; FORESIGHT_VK_ICD=system on a machine with a real GPU, see src/gpu/node-gpu.ts).
 *   cpu: the same pair on the CPU reference transformer. Proves the harness; a CPU pass costs time
 *        proportional to its tokens, so speculation cannot pay there.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkPairing } from '../src/decode/pairing';
import type { LanguageModel } from '../src/decode/language-model';
import { loadModelPath } from '../src/model/load-node';
import { ReferenceModel } from '../src/model/reference';
import type { ModelWeights } from '../src/model/weights';
import { TextTokenizer } from '../src/tokenizer/tokenizer';

export interface SpecPair {
  name: string; // e.g. 'tiny-target + tiny-draft'
  backend: string; // e.g. 'cpu-reference', 'webgpu (swiftshader)'
  target: LanguageModel;
  draft: LanguageModel;
  /** Text → prompt ids (with BOS by the model's rule). */
  encode(text: string): number[];
  dispose(): void;
}

const MODELS = join(import.meta.dirname, '..', 'public', 'models');

export async function loadSpecPair(): Promise<SpecPair> {
  const backend = process.env.FORESIGHT_SPEC_BACKEND ?? 'gpu';
  const gpu = backend === 'gpu' ? await gpuLoader() : undefined;
  const load = gpu?.load ?? loadCpuModel;
  const [targetDir, draftDir] = [join(MODELS, 'tiny-target'), join(MODELS, 'tiny-draft')];
  const [tt, td] = await Promise.all([loadTokenizer(targetDir), loadTokenizer(draftDir)]);
  const [tw, dw] = await Promise.all([loadModelPath(targetDir), loadModelPath(draftDir)]);
  const vocab = (t: TextTokenizer) => Array.from({ length: t.vocabSize }, (_, i) => t.tokenString(i) ?? '');
  checkPairing(
    { name: 'tiny-target', vocabSize: tw.config.vocabSize, tokens: vocab(tt) },
    { name: 'tiny-draft', vocabSize: dw.config.vocabSize, tokens: vocab(td) },
  );
  const target = await load(tw);
  const draft = await load(dw);
  return {
    name: 'tiny-target + tiny-draft',
    backend: gpu?.description ?? 'cpu-reference',
    target: target.model,
    draft: draft.model,
    encode: (text) => tt.encodePrompt(text),
    dispose: () => {
      target.model.dispose();
      draft.model.dispose();
      gpu?.dispose();
    },
  };
}

async function loadCpuModel(weights: ModelWeights): Promise<{ model: LanguageModel }> {
  return { model: await ReferenceModel.load(weights, { maxLength: 512 }) };
}

/** The WebGPU Transformer on one shared Dawn device; imported lazily so the CPU backend needs no GPU. */
async function gpuLoader() {
  const { createNodeGpuContext } = await import('../src/gpu/node-gpu');
  const { Transformer } = await import('../src/model/transformer');
  const ctx = await createNodeGpuContext();
  const p = ctx.profile;
  return {
    description: `webgpu (${p.vendor} ${p.architecture}${p.description ? ', ' + p.description : ''}${p.f16 ? ', f16' : ''})`,
    load: async (weights: ModelWeights) => ({ model: (await Transformer.load(ctx, weights, { maxLength: 512 })) as LanguageModel }),
    dispose: () => ctx.destroy(),
  };
}

async function loadTokenizer(dir: string): Promise<TextTokenizer> {
  const json = async (name: string) => JSON.parse(await readFile(join(dir, name), 'utf8'));
  return new TextTokenizer({
    tokenizerJson: await json('tokenizer.json'),
    tokenizerConfig: await json('tokenizer_config.json'),
    generationConfig: await json('generation_config.json'),
    modelConfig: await json('config.json'),
  });
}
