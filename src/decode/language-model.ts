/**
 * What the decoding layer (sampler, speculative step, drafting strategies) needs from a model.
 * Implemented by the WebGPU Transformer and by the CPU reference model used in tests.
 */

export interface LanguageModel {
  readonly vocabSize: number;
  /** Tokens currently held in the KV cache. */
  readonly length: number;
  /** Longest sequence the KV cache can hold. */
  readonly maxLength: number;
  /**
   * Cuts the KV cache back to `startPosition` tokens (drops rejected speculative tokens), then appends
   * `tokens` at positions [startPosition, startPosition + n).
   * Returns logits as a row-major Float32Array: (n, vocabSize) when `all` is true, else (1, vocabSize)
   * for the last new position only.
   */
  forward(tokens: ArrayLike<number>, startPosition: number, opts?: { all?: boolean }): Promise<Float32Array>;
  /**
   * Optional: the same pass as `forward`, but returns only the argmax of each logits row (lowest id on
   * ties) as (n,) or (1,) ids, so greedy decoding reads back a few bytes instead of (n, vocabSize) floats.
   * Must agree exactly with the argmax of `forward`'s logits. Without it the decoder argmaxes on the CPU.
   */
  forwardArgmax?(tokens: ArrayLike<number>, startPosition: number, opts?: { all?: boolean }): Promise<Int32Array>;
  /**
   * Optional: k greedy tokens with one host sync. Feeds `tokens` at `startPosition` exactly as `forward`,
   * then k − 1 one-token passes, each fed the argmax of the pass before. Returns the k argmaxes (k,)
   * (lowest id on ties); the last is proposed but not fed, so the KV cache ends at
   * startPosition + tokens.length + k − 1. Must equal k successive `forwardArgmax` calls, each fed the
   * previous result. Without it the draft model runs those k calls (k host syncs).
   */
  draftGreedy?(tokens: ArrayLike<number>, startPosition: number, k: number): Promise<Int32Array>;
  /** Cuts the KV cache back to `length` tokens. */
  truncate(length: number): void;
  /** Frees GPU memory. The model is unusable afterwards. */
  dispose(): void;
}
