/**
 * Reuses GPU buffers of similar size and equal usage, so a decode loop allocates nothing after its first step.
 * Sizes are rounded up to buckets an eighth of a power of two apart (at most 12.5% waste).
 */
export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly owned = new Set<GPUBuffer>();

  constructor(private readonly device: GPUDevice) {}

  static bucket(size: number): number {
    const s = Math.max(256, Math.ceil(size / 4) * 4);
    const pow = 2 ** Math.floor(Math.log2(s));
    const step = Math.max(4, pow / 8);
    return Math.ceil(s / step) * step;
  }

  acquire(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const bytes = BufferPool.bucket(size);
    const list = this.free.get(BufferPool.key(bytes, usage));
    const reused = list?.pop();
    if (reused) {
      reused.label = label;
      return reused;
    }
    const buffer = this.device.createBuffer({ label, size: bytes, usage });
    this.owned.add(buffer);
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    if (!this.owned.has(buffer)) throw new Error(`BufferPool.release: ${buffer.label} was not acquired from this pool`);
    const key = BufferPool.key(buffer.size, buffer.usage);
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    if (!list.includes(buffer)) list.push(buffer);
  }

  /** Bytes held by the pool (in use and free). */
  get bytes(): number {
    let n = 0;
    for (const b of this.owned) n += b.size;
    return n;
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
    this.owned.clear();
    this.free.clear();
  }

  private static key(size: number, usage: GPUBufferUsageFlags): string {
    return `${size}/${usage}`;
  }
}
