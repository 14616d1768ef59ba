/** (n,) logits → (n,) log-probabilities, computed stably (max subtracted before exp). */
export function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const logZ = max + Math.log(sum);
  return Float64Array.from(logits, (v) => v - logZ);
}
