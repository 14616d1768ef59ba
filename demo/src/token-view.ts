/**
 * Streams generated text into the page, each piece coloured by where its tokens came from.
 *
 * A chunk is one decoding step: its `text` belongs to its `tokens` together (1 to k+1 of them). When the
 * engine also gives per-token `pieces`, each token gets its own span; otherwise a step whose tokens all
 * share one provenance gets that colour and a step that mixes them (accepted drafts + the target's token)
 * is marked `mixed`. Text the detokenizer held back (half a character, a possible stop string) arrives in
 * a later chunk and is credited to the tokens that produced it.
 */
import type { GenerateChunk, TokenProvenance } from 'foresight';
import { h } from './dom';

type ChunkWithPieces = GenerateChunk & { pieces?: string[] };

export class TokenStream {
  /** Provenance of tokens whose text has not appeared yet. */
  private pending: TokenProvenance[] = [];
  private cursor: HTMLElement;

  constructor(
    private readonly into: HTMLElement,
    private readonly scroller: HTMLElement,
  ) {
    this.cursor = h('span', { class: 'cursor', 'aria-hidden': 'true' });
    into.append(this.cursor);
  }

  push(chunk: GenerateChunk): void {
    const pieces = (chunk as ChunkWithPieces).pieces;
    if (pieces && pieces.length === chunk.tokens.length && this.pending.length === 0) {
      pieces.forEach((piece, i) => this.append(piece, [chunk.provenance[i]]));
      return;
    }
    this.pending.push(...chunk.provenance);
    if (chunk.text === '') return;
    this.append(chunk.text, this.pending);
    this.pending = [];
  }

  end(): void {
    this.cursor.remove();
  }

  private append(text: string, provenance: TokenProvenance[]): void {
    if (text === '') return;
    const stick = this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < 24;
    const kinds = [...new Set(provenance)];
    const kind = kinds.length === 1 ? kinds[0] : kinds.length === 0 ? 'target' : 'mixed';
    const span = h('span', { class: `tok tok-${kind}`, title: describe(provenance) }, text);
    if (kind === 'mixed') span.style.background = bands(provenance);
    this.cursor.before(span);
    if (stick) this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}

/**
 * A mixed step's background: one band per token in step order (drafts first, the target's token last),
 * each as wide as its share of the step's tokens (not of its characters, which are not known).
 */
function bands(provenance: TokenProvenance[]): string {
  const stops = provenance.map((p, i) => {
    const from = (100 * i) / provenance.length;
    const to = (100 * (i + 1)) / provenance.length;
    return `var(--${p}-bg) ${from.toFixed(1)}% ${to.toFixed(1)}%`;
  });
  return `linear-gradient(90deg, ${stops.join(', ')})`;
}

function describe(provenance: TokenProvenance[]): string {
  const counts = new Map<string, number>();
  for (const p of provenance) counts.set(p, (counts.get(p) ?? 0) + 1);
  return [...counts].map(([p, n]) => `${n} ${p}`).join(' + ') || 'target';
}
