import { describe, expect, it } from 'vitest';
import { PairingError } from '../errors';
import { checkPairing } from './pairing';

const side = (name: string, tokens: string[], vocabSize = tokens.length) => ({ name, vocabSize, tokens });

describe('checkPairing', () => {
  it('accepts identical vocabularies', () => {
    expect(() => checkPairing(side('t', ['a', 'b', 'c']), side('d', ['a', 'b', 'c']))).not.toThrow();
  });

  it('names the sizes when they differ', () => {
    const err = (() => {
      try {
        checkPairing(side('big.gguf', ['a', 'b', 'c']), side('small.gguf', ['a', 'b']));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PairingError);
    expect((err as PairingError).code).toBe('pairing');
    expect((err as Error).message).toMatch(/small\.gguf.*big\.gguf.*logits widths differ \(draft 2, target 3\)/);
  });

  it('names a tokenizer size difference when the logits widths agree', () => {
    expect(() => checkPairing(side('t', ['a', 'b', 'c'], 4), side('d', ['a', 'b'], 4))).toThrow(/vocabularies differ in size \(draft 2 tokens, target 3\)/);
  });

  it('names the first differing id with both strings', () => {
    expect(() => checkPairing(side('t', ['a', ' the', 'x', 'y']), side('d', ['a', 'the', 'x', 'z']))).toThrow(
      /token 1 is "the" in the draft but " the" in the target/,
    );
  });
});
