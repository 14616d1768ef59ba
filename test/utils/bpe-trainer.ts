/**
 * A small byte-level BPE trainer (GPT-2 style) for tokenizer tests: words are split with GPT-2's expression,
 * written in GPT-2's byte-to-character alphabet, and the most frequent adjacent pair is merged, repeatedly.
 * Slow (each merge rescans every word) but plenty for a few kilobytes of text and a few hundred merges.
 */

/** GPT-2's map from each byte to a printable character (printable Latin-1 bytes map to themselves). */
export function byteToChar(): string[] {
  const chars: string[] = new Array(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    chars[b] = String.fromCodePoint(printable ? b : next++);
  }
  return chars;
}

const GPT2_WORDS = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export interface TrainedBpe {
  /** The 256 byte characters (in byte order), then one token per merge (in merge order, without repeats). */
  tokens: string[];
  /** Merges, best (earliest) first. */
  merges: [string, string][];
}

export function trainByteLevelBpe(corpus: string, maxMerges: number): TrainedBpe {
  const chars = byteToChar();
  const encoder = new TextEncoder();
  const counts = new Map<string, number>();
  for (const word of corpus.match(GPT2_WORDS) ?? []) {
    const w = Array.from(encoder.encode(word), (b) => chars[b]).join('');
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const words = [...counts].map(([w, count]) => ({ parts: Array.from(w), count }));
  const merges: [string, string][] = [];
  for (let m = 0; m < maxMerges; m++) {
    const pairs = new Map<string, number>();
    for (const { parts, count } of words) {
      for (let i = 0; i + 1 < parts.length; i++) {
        const key = `${parts[i]}\u0000${parts[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best: string | undefined;
    let bestCount = 1; // a pair seen once is not worth a token
    for (const [key, count] of pairs) {
      if (count > bestCount || (count === bestCount && best !== undefined && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === undefined) break;
    const [a, b] = best.split('\u0000');
    merges.push([a, b]);
    for (const word of words) {
      const out: string[] = [];
      for (let i = 0; i < word.parts.length; i++) {
        if (i + 1 < word.parts.length && word.parts[i] === a && word.parts[i + 1] === b) {
          out.push(a + b);
          i++;
        } else {
          out.push(word.parts[i]);
        }
      }
      word.parts = out;
    }
  }
  const tokens = [...chars];
  const seen = new Set(tokens);
  for (const [a, b] of merges) {
    if (!seen.has(a + b)) {
      seen.add(a + b);
      tokens.push(a + b);
    }
  }
  return { tokens, merges };
}

/**
 * About a kilobyte of text to train on: English prose with numbers, contractions and punctuation, and some
 * French, German, Japanese, Chinese and emoji, so merges form multi-byte characters too.
 */
export const TRAINING_TEXT = [
  "The lighthouse keeper counted 1,024 ships in 1999 and 2,048 in 2023. She didn't mind the wind; she'd seen worse.",
  "We're told the tide rises 3.5 metres twice a day, and it's true: the harbour fills, then empties again.",
  'Ships came from the north, from the south, and from the islands beyond the reef. Each one rang its bell.',
  "\"Where are you going?\" asked the boy. \"To the market,\" said the sailor, \"and then home. I'll be back soon!\"",
  'The café on the quay serves crème brûlée; the naïve tourists order it at noon. Über alles liebt man Kaffee.',
  'Le phare est très ancien, et la mer est grise en hiver. Les marins rentrent à la maison après la tempête.',
  '灯台の守り人は毎晩、海を見ていた。船が来ると、鐘を鳴らした。灯台の光は遠くまで届く。',
  '灯塔的守护者每天晚上看着大海。船来的时候，她就敲钟。灯塔的光照得很远。',
  'Sunny days ☀️ and stormy nights 🌧️: the keeper wrote 😀 or 😢 in her log, and sometimes 🚢🚢🚢.',
  'def count_ships(log):\n    total = 0\n    for line in log:\n        total += int(line)\n    return total\n',
  'In the year 1887, the tower was painted red and white. In 1912 it was painted again; in 1950, once more.',
  "The keeper's log: 12 ships, 7 boats, 3 storms, 0 wrecks. The next day: 15 ships, 9 boats, 1 storm.",
].join('\n\n');
