/**
 * Download progress, per file and overall. Both byte counts only ever grow (a file restarted from 0 or a
 * chunk re-fetched does not move them back), and the last event of a successful load has
 * overall.bytesDone === overall.bytesTotal. Rates are over the last few seconds.
 */

export interface LoadProgress {
  /** The file this event is about. */
  file: string;
  bytesDone: number;
  /** Undefined while the server has not said how big the file is. */
  bytesTotal?: number;
  /** Bytes per second for this file, over the last few seconds. */
  rate: number;
  overall: { bytesDone: number; bytesTotal: number; rate: number };
  /** Which model of a pair the file belongs to (set by engine.load(); `overall` is per model). */
  model?: 'target' | 'draft';
}

export type ProgressListener = (p: LoadProgress) => void;

const WINDOW_MS = 3000;
const MIN_INTERVAL_MS = 50;

/** Bytes per second over a sliding window of (time, bytes) samples. */
class RateMeter {
  private samples: Array<[number, number]> = [];
  add(t: number, bytes: number): number {
    this.samples.push([t, bytes]);
    while (this.samples.length > 2 && t - this.samples[0][0] > WINDOW_MS) this.samples.shift();
    const [t0, b0] = this.samples[0];
    return t > t0 ? ((bytes - b0) * 1000) / (t - t0) : 0;
  }
}

interface FileState {
  done: number;
  total?: number;
  meter: RateMeter;
  lastEmit: number;
}

export class ProgressTracker {
  private readonly files = new Map<string, FileState>();
  private readonly overall = new RateMeter();
  private overallDone = 0;

  constructor(
    private readonly listener: ProgressListener | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Registers a file with the bytes already stored (counted as done) and its size if known. */
  add(name: string, stored: number, total: number | undefined): void {
    this.files.set(name, { done: stored, total, meter: new RateMeter(), lastEmit: -Infinity });
    this.overallDone += stored;
  }

  setTotal(name: string, total: number): void {
    const f = this.files.get(name);
    if (f) f.total = total;
  }

  /** The file now has `done` bytes stored or received; `final` forces an event (file finished). */
  update(name: string, done: number, final = false): void {
    const f = this.files.get(name);
    if (!f) return;
    if (done > f.done) {
      this.overallDone += done - f.done;
      f.done = done;
    }
    const t = this.now();
    const rate = f.meter.add(t, f.done);
    const overallRate = this.overall.add(t, this.overallDone);
    if (!this.listener || (!final && t - f.lastEmit < MIN_INTERVAL_MS)) return;
    f.lastEmit = t;
    this.listener({
      file: name,
      bytesDone: f.done,
      bytesTotal: f.total,
      rate,
      overall: { bytesDone: this.overallDone, bytesTotal: this.overallTotal(), rate: overallRate },
    });
  }

  private overallTotal(): number {
    let total = 0;
    for (const f of this.files.values()) total += Math.max(f.total ?? 0, f.done);
    return total;
  }
}
