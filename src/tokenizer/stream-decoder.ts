/**
 * Streaming detokenization: ids arrive a few at a time, text leaves only once it is final.
 *
 * Method (incremental decoding of a window, as in TGI and vLLM): keep the ids since the last emission
 * plus the ids of the emission before (the window); decode the window without and with the new ids, and
 * emit the difference, but only when the decoded window does not end in U+FFFD. A trailing U+FFFD means a
 * multi-byte character is still incomplete: its bytes arrive as byte-fallback tokens (`<0xE2>`,`<0x82>`,
 * `<0xAC>` for "€") or a byte-level token ends mid-character. We wait for the next ids instead of
 * emitting a broken character.
 *
 * Decoding a window (not each token alone) keeps everything decoders do across token boundaries the same
 * as decoding the whole sequence: byte sequences spanning tokens, Metaspace's "drop the first space" (the
 * window's first token is already emitted, so the drop lands on text we do not emit again).
 *
 * Nothing is dropped: `flush()` emits what is left, an unfinished character included (as U+FFFD), and
 * invalid bytes followed by more text are emitted as U+FFFD in place, exactly as a full decode shows them.
 */

/** Prompt ids kept as the window's start, so the first generated token decodes with its context (e.g. its leading space). */
const CONTEXT_IDS = 4;
const REPLACEMENT = '\uFFFD';

export class StreamingDetokenizer {
  private readonly ids: number[];
  /** Window start: ids before it are emitted and no longer decoded. */
  private prefixOffset = 0;
  /** Ids in [prefixOffset, readOffset) are emitted; `prefixText` is their decoded text. */
  private readOffset: number;
  private prefixText: string;

  /**
   * @param decode ids to text for the model's tokenizer (special tokens skipped).
   * @param context the prompt's ids: the last few seed the window and are never emitted.
   */
  constructor(
    private readonly decode: (ids: readonly number[]) => string,
    context: readonly number[] = [],
  ) {
    this.ids = context.slice(-CONTEXT_IDS);
    this.prefixText = decode(this.ids);
    if (this.prefixText.endsWith(REPLACEMENT)) {
      // The prompt ends mid-character; its tail cannot serve as context.
      this.ids.length = 0;
      this.prefixText = '';
    }
    this.readOffset = this.ids.length;
  }

  /** Adds generated ids; returns the text that became final (often '', e.g. mid-character). */
  push(ids: readonly number[]): string {
    this.ids.push(...ids);
    const text = this.decode(this.ids.slice(this.prefixOffset));
    if (text.length <= this.prefixText.length || text.endsWith(REPLACEMENT)) return '';
    const delta = text.slice(this.prefixText.length);
    this.prefixOffset = this.readOffset;
    this.readOffset = this.ids.length;
    this.prefixText = this.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    return delta;
  }

  /** Ends the stream: everything not yet emitted, an incomplete character included. */
  flush(): string {
    const text = this.decode(this.ids.slice(this.prefixOffset));
    const delta = text.slice(this.prefixText.length);
    this.prefixOffset = this.readOffset = this.ids.length;
    this.prefixText = '';
    return delta;
  }
}
