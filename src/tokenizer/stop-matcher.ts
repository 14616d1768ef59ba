/**
 * Stop sequences over streamed text. A stop string can span any number of chunks ("</a" + "nswer>"),
 * so text that could be the start of a stop string is held back until it either completes a stop
 * (generation ends; the stop string and what follows it are not emitted, as in OpenAI's API) or
 * stops matching (it is emitted).
 */
export class StopMatcher {
  private held = '';
  private readonly stops: readonly string[];

  constructor(stops: readonly string[]) {
    this.stops = stops.filter((s) => s.length > 0);
  }

  /** Adds text; returns what may be emitted, and whether a stop string was found. */
  push(text: string): { text: string; stopped: boolean } {
    const buffer = this.held + text;
    let stopAt = -1;
    for (const stop of this.stops) {
      const at = buffer.indexOf(stop);
      if (at >= 0 && (stopAt < 0 || at < stopAt)) stopAt = at;
    }
    if (stopAt >= 0) {
      this.held = '';
      return { text: buffer.slice(0, stopAt), stopped: true };
    }
    const hold = this.longestStopPrefixSuffix(buffer);
    this.held = buffer.slice(buffer.length - hold);
    return { text: buffer.slice(0, buffer.length - hold), stopped: false };
  }

  /** Ends the stream without a stop: the held-back text is emitted after all. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  /** Length of the longest suffix of `text` that is a proper prefix of some stop string. */
  private longestStopPrefixSuffix(text: string): number {
    let best = 0;
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, text.length); n > best; n--) {
        if (text.endsWith(stop.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
