/**
 * A GGUF SentencePiece vocabulary (`tokenizer.ggml.model = "llama"`) as a Hugging Face BPE model with byte
 * fallback, the way transformers converts Llama 2's tokenizer (LlamaConverter, "legacy" mode), so that it
 * tokenizes as llama.cpp's SPM tokenizer does:
 *
 * - llama.cpp: spaces become `▁`, a `▁` is prepended to each text run (at the start, and after every special
 *   token) when add_space_prefix; the run is split into characters, and the adjacent pair whose concatenation
 *   is a token with the highest score is merged, repeatedly (ties: leftmost). Characters left without a
 *   token become `<0xNN>` byte tokens.
 * - Hugging Face BPE merges the pair of lowest rank instead. Ranking every pair (left, right) whose
 *   concatenation is a token by that token's score (best first) gives the same choices. Left and right are
 *   tokens or single characters: a character llama.cpp may merge need not be a token itself.
 */
import { type GgufVocab, tokenIds, vocabObject } from './gguf-vocab';

const SPACE = '\u2581'; // ▁

/** (left, right) pairs ranked as llama.cpp's SPM tokenizer picks them: by the merged token's score, best first. */
export function spmMerges(tokens: readonly string[], scores: readonly number[]): [string, string][] {
  const ids = tokenIds(tokens);
  const found: { left: string; right: string; score: number; id: number; leftId: number; rightId: number }[] = [];
  for (const [piece, id] of ids) {
    const chars = Array.from(piece);
    let left = '';
    for (let k = 1; k < chars.length; k++) {
      left += chars[k - 1];
      const right = chars.slice(k).join('');
      const leftId = ids.get(left) ?? (k === 1 ? -1 : undefined);
      const rightId = ids.get(right) ?? (k === chars.length - 1 ? -1 : undefined);
      if (leftId !== undefined && rightId !== undefined) found.push({ left, right, score: scores[id], id, leftId, rightId });
    }
  }
  // Ties between different tokens (equal scores) fall back to id order: llama.cpp would pick the leftmost
  // pair in the text, which no fixed ranking can express. Real SentencePiece vocabularies have distinct scores.
  found.sort((a, b) => b.score - a.score || a.id - b.id || a.leftId - b.leftId || a.rightId - b.rightId);
  return found.map((m) => [m.left, m.right]);
}

const hasByteTokens = (tokens: readonly string[]) => tokens.includes('<0x00>') && tokens.includes('<0xFF>');

/** tokenizer.json sections for a SentencePiece vocabulary (everything but added_tokens and post_processor). */
export function spmTokenizerJson(v: GgufVocab): Record<string, unknown> {
  const addSpacePrefix = v.addSpacePrefix ?? true; // llama.cpp's default for SPM
  const escape = { type: 'Replace', pattern: { String: ' ' }, content: SPACE };
  return {
    normalizer: addSpacePrefix ? { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: SPACE }, escape] } : escape,
    pre_tokenizer: null,
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: SPACE }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        ...(addSpacePrefix ? [{ type: 'Strip', content: ' ', start: 1, stop: 0 }] : []),
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: v.tokens[v.unk ?? 0] ?? null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: hasByteTokens(v.tokens),
      ignore_merges: false,
      vocab: vocabObject(v.tokens),
      merges: spmMerges(v.tokens, v.scores),
    },
  };
}
