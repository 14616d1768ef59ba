/**
 * Per-dispatch GPU timing with timestamp queries (feature `timestamp-query`), for profiling:
 *
 *   ctx.startTiming();
 *   await model.forward(...);                 // every dispatch runs in its own timed compute pass
 *   const byKernel = await ctx.stopTiming();  // Map label -> { ms, count }, labels without "layer N "
 *
 * Timing changes what it measures a little (one pass per dispatch), so use it to see shares, and
 * wall-clock runs for totals.
 */
import { GpuError } from '../errors';

const CAPACITY = 4096; // timestamps per query set (2 per dispatch)

export interface KernelTime {
  ms: number;
  count: number;
}

export class DispatchTimer {
  private readonly sets: { querySet: GPUQuerySet; labels: string[] }[] = [];
  private readonly pending: Promise<void>[] = [];
  readonly totals = new Map<string, KernelTime>();

  constructor(private readonly device: GPUDevice) {
    if (!device.features.has('timestamp-query')) throw new GpuError('gpu-limits', 'timing needs the timestamp-query feature');
  }

  /** timestampWrites for the pass of one dispatch labelled `label`. */
  next(label: string): GPUComputePassTimestampWrites {
    let set = this.sets[this.sets.length - 1];
    if (!set || set.labels.length * 2 >= CAPACITY) {
      set = { querySet: this.device.createQuerySet({ label: 'dispatch timestamps', type: 'timestamp', count: CAPACITY }), labels: [] };
      this.sets.push(set);
    }
    const i = set.labels.length;
    set.labels.push(label.replace(/^layer \d+ /, ''));
    return { querySet: set.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Encodes the resolution of every timestamp written so far and schedules reading them back. */
  resolve(encoder: GPUCommandEncoder): () => void {
    const jobs = this.sets.splice(0).map(({ querySet, labels }) => {
      const bytes = labels.length * 16;
      const resolved = this.device.createBuffer({ label: 'timestamps resolved', size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
      const staging = this.device.createBuffer({ label: 'timestamps staging', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      encoder.resolveQuerySet(querySet, 0, labels.length * 2, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, staging, 0, bytes);
      return { querySet, labels, resolved, staging };
    });
    // Called after submission: read the timestamps back and add them up per label.
    return () => {
      for (const j of jobs) {
        this.pending.push(
          j.staging.mapAsync(GPUMapMode.READ).then(() => {
            const t = new BigUint64Array(j.staging.getMappedRange());
            j.labels.forEach((label, i) => {
              const ms = Number(t[2 * i + 1] - t[2 * i]) / 1e6;
              const e = this.totals.get(label) ?? { ms: 0, count: 0 };
              this.totals.set(label, { ms: e.ms + ms, count: e.count + 1 });
            });
            j.staging.unmap();
            for (const b of [j.staging, j.resolved]) b.destroy();
            j.querySet.destroy();
          }),
        );
      }
    };
  }

  async finish(): Promise<Map<string, KernelTime>> {
    await Promise.all(this.pending);
    return this.totals;
  }
}
