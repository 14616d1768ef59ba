/**
 * A draft can only speak for a target that numbers tokens the same way: same logits width, same
 * vocabulary size, the same string for every id. Checked once, at load.
 */
import { PairingError } from '../errors';

export interface PairingSide {
  name: string; // for the message, e.g. the model file or id
  vocabSize: number; // logits width of the model
  tokens: readonly string[]; // tokenizer vocabulary: tokens[id] is the token's string
}

/** Throws PairingError naming what differs: logits widths, vocabulary sizes, or the first differing id with both strings. */
export function checkPairing(target: PairingSide, draft: PairingSide): void {
  const who = `draft ${draft.name} and target ${target.name}`;
  if (target.vocabSize !== draft.vocabSize) {
    throw new PairingError(
      `${who} cannot be paired: logits widths differ (draft ${draft.vocabSize}, target ${target.vocabSize})`,
    );
  }
  if (target.tokens.length !== draft.tokens.length) {
    throw new PairingError(
      `${who} cannot be paired: vocabularies differ in size (draft ${draft.tokens.length} tokens, target ${target.tokens.length})`,
    );
  }
  for (let id = 0; id < target.tokens.length; id++) {
    if (target.tokens[id] !== draft.tokens[id]) {
      throw new PairingError(
        `${who} cannot be paired: token ${id} is ${JSON.stringify(draft.tokens[id])} in the draft ` +
          `but ${JSON.stringify(target.tokens[id])} in the target`,
      );
    }
  }
}
