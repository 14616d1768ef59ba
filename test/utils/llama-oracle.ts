/**
 * llama.cpp (through node-llama-cpp, CPU build, no downloads) as the oracle for our forward pass.
 * Contexts use an f32 KV cache and no flash attention, so llama.cpp's own rounding stays small.
 */
import { type Llama, type LlamaModel, getLlama } from 'node-llama-cpp';

let llamaPromise: Promise<Llama> | undefined;

export function oracleLlama(): Promise<Llama> {
  llamaPromise ??= getLlama({ gpu: false, build: 'never', skipDownload: true, logLevel: 'error' as never, progressLogs: false });
  return llamaPromise;
}

export interface OracleResult {
  /** Next-token probabilities after each prompt position: (prompt.length) x (vocab). */
  probs: Float64Array[];
  /** Greedy continuation of the prompt. */
  greedy: number[];
}

/**
 * Evaluates `prompt` (fed as ids, nothing added) in one pass with full probabilities at every position,
 * then decodes `greedyTokens` tokens greedily.
 */
export async function runOracle(ggufPath: string, prompt: number[], greedyTokens: number, vocabSize: number): Promise<OracleResult> {
  const llama = await oracleLlama();
  const model: LlamaModel = await llama.loadModel({ modelPath: ggufPath, gpuLayers: 0, useMmap: false });
  try {
    const context = await model.createContext({
      contextSize: Math.max(64, prompt.length + greedyTokens + 8),
      batchSize: Math.max(32, prompt.length),
      threads: 1,
      flashAttention: false,
      experimentalKvCacheKeyType: 'F32',
      experimentalKvCacheValueType: 'F32',
    });
    try {
      const seq = context.getSequence();
      const input = prompt.map((t, i) => [t, { generateNext: { probabilities: true, token: i === prompt.length - 1 } }] as [number, object]);
      const out = await seq.controlledEvaluate(input as never);
      const probs = prompt.map((_, i) => {
        const map = out[i]?.next.probabilities;
        if (!map) throw new Error(`llama.cpp returned no probabilities at position ${i}`);
        const dense = new Float64Array(vocabSize);
        for (const [tok, p] of map) dense[tok] = p;
        return dense;
      });
      const greedy: number[] = [];
      let next = out[prompt.length - 1]?.next.token;
      while (greedy.length < greedyTokens) {
        if (next == null) throw new Error('llama.cpp returned no greedy token');
        greedy.push(next);
        if (greedy.length === greedyTokens) break;
        const r = await seq.controlledEvaluate([[next, { generateNext: { token: true } }]]);
        next = r[0]?.next.token;
      }
      return { probs, greedy };
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}
