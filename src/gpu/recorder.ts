/**
 * Encoding, submitting and reading back, kept apart.
 *
 *   const rec = ctx.recorder('decode step');   // encode: dispatches, copies, readback copies
 *   ... kernels call rec.dispatch(...) ...
 *   const logits = rec.readback(t.buffer, 0, bytes);
 *   rec.submit();                              // one queue submission
 *   const data = await logits.read();          // the only wait on the GPU
 *
 * Encode and submit one recorder at a time (no `await` in between): error scopes are a per-device stack.
 * Uniforms of every dispatch go to a shared arena (256-byte slots, one upload per submit). All compute
 * dispatches share one compute pass until a copy needs the encoder; WebGPU orders storage writes
 * between dispatches of a pass, so later dispatches see earlier results.
 */
import { GpuError } from '../errors';
import type { GpuContext } from './context';
import type { Tensor } from './tensor';

/** A storage binding: a whole tensor/buffer, or a byte range of a buffer. */
export type Binding = Tensor | GPUBuffer | { buffer: GPUBuffer; offset: number; size: number };

const ARENA_BYTES = 64 * 1024;

interface ArenaChunk {
  buffer: GPUBuffer;
  data: Uint8Array<ArrayBuffer>;
  used: number;
}

export class Readback {
  private submitted = false;
  private consumed = false;

  constructor(
    private readonly ctx: GpuContext,
    private readonly staging: GPUBuffer,
    private readonly size: number,
    private readonly validation: Promise<GPUError | null>[],
  ) {}

  /** @internal returns the staging buffer of a readback that will never be submitted. */
  discard(): void {
    if (this.submitted || this.consumed) return;
    this.consumed = true;
    this.ctx.pool.release(this.staging);
  }

  /** @internal called by the recorder on submit. */
  markSubmitted(): void {
    this.submitted = true;
  }

  /** Waits for the GPU and returns a copy of the bytes. May be called once, after `submit()`. */
  async read(): Promise<ArrayBuffer> {
    if (!this.submitted) throw new GpuError('internal', `readback of ${this.staging.label} read before submit()`);
    if (this.consumed) throw new GpuError('internal', `readback of ${this.staging.label} read twice`);
    this.consumed = true;
    try {
      await this.staging.mapAsync(GPUMapMode.READ, 0, this.size);
    } catch (e) {
      this.ctx.assertAlive();
      throw new GpuError('gpu-validation', `reading back ${this.staging.label} failed: ${(e as Error).message}`, { cause: e });
    }
    const copy = this.staging.getMappedRange(0, this.size).slice(0);
    this.staging.unmap();
    this.ctx.pool.release(this.staging);
    await throwValidationErrors(this.ctx, this.staging.label, this.validation);
    return copy;
  }
}

export class CommandRecorder {
  private readonly encoder: GPUCommandEncoder;
  private pass: GPUComputePassEncoder | null = null;
  private readonly arena: ArenaChunk[] = [];
  private readonly readbacks: Readback[] = [];
  private readonly validation: Promise<GPUError | null>[] = [];
  private submitted = false;
  private dispatches = 0;

  constructor(
    private readonly ctx: GpuContext,
    readonly label: string,
  ) {
    ctx.assertAlive();
    ctx.beginRecording(this);
    ctx.device.pushErrorScope('validation');
    this.encoder = ctx.device.createCommandEncoder({ label });
  }

  /** Number of dispatches encoded so far. */
  get dispatchCount(): number {
    return this.dispatches;
  }

  /**
   * One compute dispatch. `uniforms` becomes binding 0 (a `var<uniform>`); `storage` become bindings 1, 2, ...
   * (`null` leaves a binding number out, for entry points that use only some of a shader's bindings).
   * `workgroups` is the dispatch grid.
   */
  dispatch(
    label: string,
    pipeline: GPUComputePipeline,
    uniforms: ArrayBuffer,
    storage: readonly (Binding | null)[],
    workgroups: readonly [number, number?, number?],
  ): void {
    this.assertOpen();
    const [x, y = 1, z = 1] = workgroups;
    const max = this.ctx.device.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max) {
      throw new GpuError('gpu-limits', `${label}: dispatch (${x}, ${y}, ${z}) exceeds ${max} workgroups per dimension`);
    }
    if (x === 0 || y === 0 || z === 0) return;
    const entries: GPUBindGroupEntry[] = [];
    const path: (object | number)[] = [pipeline];
    const add = (binding: number, r: GPUBufferBinding) => {
      entries.push({ binding, resource: r });
      path.push(binding, r.buffer, r.offset ?? 0, r.size ?? -1);
    };
    add(0, this.uniformSlot(uniforms));
    storage.forEach((b, i) => b && add(i + 1, bufferBinding(b)));
    const bindGroup = this.ctx.bindGroups.get(path, () =>
      this.ctx.device.createBindGroup({ label, layout: pipeline.getBindGroupLayout(0), entries }),
    );
    const timer = this.ctx.timer;
    if (timer) {
      this.endPass();
      this.pass = this.encoder.beginComputePass({ label, timestampWrites: timer.next(label) });
    }
    if (!this.pass) this.pass = this.encoder.beginComputePass({ label: `${this.label} compute` });
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(x, y, z);
    if (timer) this.endPass();
    this.dispatches++;
  }

  /**
   * Runs `encode` (dispatches only) in a compute pass of its own whose start and end are written as GPU
   * timestamps at `begin` and `end` of `querySet` (needs the `timestamp-query` feature). For profiling.
   */
  timed(querySet: GPUQuerySet, begin: number, end: number, encode: () => void): void {
    this.assertOpen();
    this.endPass();
    this.pass = this.encoder.beginComputePass({
      label: `${this.label} timed`,
      timestampWrites: { querySet, beginningOfPassWriteIndex: begin, endOfPassWriteIndex: end },
    });
    encode();
    this.endPass();
  }

  /** Copies `count` timestamps (u64 nanoseconds) of `querySet` into `dst` (QUERY_RESOLVE usage). */
  resolveTimestamps(querySet: GPUQuerySet, count: number, dst: GPUBuffer): void {
    this.assertOpen();
    this.endPass();
    this.encoder.resolveQuerySet(querySet, 0, count, dst, 0);
  }

  /** Buffer-to-buffer copy (offsets and size multiples of 4). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    this.assertOpen();
    this.endPass();
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, size);
  }

  /** Encodes a copy of `size` bytes from `src` into a staging buffer; read it after `submit()`. */
  readback(src: GPUBuffer, offset: number, size: number): Readback {
    this.assertOpen();
    const staging = this.ctx.pool.acquire(size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `${this.label} readback`);
    this.copy(src, offset, staging, 0, size);
    const r = new Readback(this.ctx, staging, size, this.validation);
    this.readbacks.push(r);
    return r;
  }

  /** Uploads this recorder's uniforms and submits its commands in one queue submission. */
  submit(): void {
    this.assertOpen();
    this.endPass();
    const { device } = this.ctx;
    for (const chunk of this.arena) device.queue.writeBuffer(chunk.buffer, 0, chunk.data, 0, chunk.used);
    const collectTimes = this.ctx.timer?.resolve(this.encoder);
    device.queue.submit([this.encoder.finish({ label: this.label })]);
    collectTimes?.();
    this.validation.push(device.popErrorScope());
    this.ctx.endRecording(this);
    this.submitted = true;
    for (const chunk of this.arena) this.ctx.pool.release(chunk.buffer);
    for (const r of this.readbacks) r.markSubmitted();
  }

  /** Drops this recorder without submitting (after an error while encoding), freeing the context for the next. */
  abandon(): void {
    if (this.submitted) return;
    this.submitted = true;
    void this.ctx.device.popErrorScope();
    this.ctx.endRecording(this);
    for (const chunk of this.arena) this.ctx.pool.release(chunk.buffer);
    for (const r of this.readbacks) r.discard();
  }

  /** Resolves once the GPU has finished this recorder's work; throws validation errors raised while encoding. */
  async done(): Promise<void> {
    if (!this.submitted) throw new GpuError('internal', `${this.label}: done() before submit()`);
    await this.ctx.device.queue.onSubmittedWorkDone();
    this.ctx.assertAlive();
    await throwValidationErrors(this.ctx, this.label, this.validation);
  }

  private uniformSlot(data: ArrayBuffer): GPUBufferBinding {
    const align = this.ctx.device.limits.minUniformBufferOffsetAlignment;
    const size = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
    let chunk = this.arena[this.arena.length - 1];
    const offset = chunk ? Math.ceil(chunk.used / align) * align : 0;
    if (!chunk || offset + size > ARENA_BYTES) {
      const buffer = this.ctx.pool.acquire(ARENA_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, `${this.label} uniforms`);
      chunk = { buffer, data: new Uint8Array(ARENA_BYTES), used: 0 };
      this.arena.push(chunk);
      return this.uniformSlot(data);
    }
    chunk.data.set(new Uint8Array(data), offset);
    chunk.used = offset + size;
    return { buffer: chunk.buffer, offset, size };
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  private assertOpen(): void {
    if (this.submitted) throw new GpuError('internal', `${this.label}: recorder already submitted`);
  }
}

function bufferBinding(b: Binding): GPUBufferBinding {
  if ('shape' in b) return { buffer: b.buffer };
  if ('offset' in b && 'size' in b && 'buffer' in b) return { buffer: b.buffer, offset: b.offset, size: b.size };
  return { buffer: b as GPUBuffer };
}

async function throwValidationErrors(ctx: GpuContext, label: string, scopes: Promise<GPUError | null>[]): Promise<void> {
  for (const v of scopes) {
    const err = await v;
    if (err) throw new GpuError('gpu-validation', `GPU validation error in ${label}: ${err.message}`);
  }
  ctx.throwUncapturedError();
}
