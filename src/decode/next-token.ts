/**
 * One model pass → next-token distributions, through the shared sampling transform.
 * Greedy steps use the model's argmax-only pass when it has one, so no logits are read back.
 */
import { ForesightError } from '../errors';
import { pointMass, type Distribution } from './distribution';
import type { LanguageModel } from './language-model';
import { toProbabilities } from './probabilities';
import { isGreedy, usesHistory, type SamplingSettings } from './sampling-settings';

/**
 * Feeds seq[start..] to `model` (whose KV cache must already hold seq[0..start)) and returns the
 * distributions of the token after each of the last `count` prefixes:
 * result[j] = P(· | seq[0 .. seq.length − count + 1 + j)), j = 0 .. count−1.
 */
export async function nextTokenDistributions(
  model: LanguageModel,
  seq: readonly number[],
  start: number,
  count: number,
  settings: SamplingSettings,
): Promise<Distribution[]> {
  const fed = seq.length - start;
  if (count < 1 || count > fed || start > model.length) {
    throw new ForesightError(
      'internal',
      `nextTokenDistributions: count ${count}, ${fed} new tokens from position ${start}, model holds ${model.length}`,
    );
  }
  const tokens = seq.slice(start);
  const all = count > 1;
  const firstRow = all ? fed - count : 0; // first returned row we need

  if (isGreedy(settings) && !usesHistory(settings) && model.forwardArgmax) {
    const ids = await model.forwardArgmax(tokens, start, { all }); // (rows,)
    return Array.from(ids.subarray(firstRow, firstRow + count), pointMass);
  }

  const V = model.vocabSize;
  const logits = await model.forward(tokens, start, { all }); // (rows, V)
  const out: Distribution[] = [];
  for (let j = 0; j < count; j++) {
    const row = logits.subarray((firstRow + j) * V, (firstRow + j + 1) * V);
    const end = seq.length - count + 1 + j; // this row predicts seq[end]
    const window = settings.repetitionWindow;
    const history = usesHistory(settings) ? seq.slice(Math.max(0, end - window), end) : [];
    out.push(toProbabilities(row, settings, history));
  }
  return out;
}
