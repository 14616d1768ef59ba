// The GPU layer: preprocessor, pipeline cache, buffer pool, recorder/readback and typed errors, on Dawn.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GpuError } from '../errors';
import { BufferPool } from './buffer-pool';
import { createGpuContext } from './context';
import { createNodeGpuContext } from './node-gpu';
import { preprocess, shaderSource } from './shader';

const COPY = shaderSource(
  'copy_test.wgsl',
  `
struct Params { n: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> b: array<f32>;
override SCALE: f32 = 1.0;
@compute @workgroup_size(4)
fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < p.n) { b[g.x] = a[g.x] * SCALE; }
}
`,
);

describe('preprocess', () => {
  const src = shaderSource('t.wgsl', ['a', '#if X', 'b', '  #if Y', 'c', '  #else', 'd', '  #endif', '#else', 'e', '#endif', 'f'].join('\n'));
  it('keeps the lines of the active branches and blanks the rest (line numbers preserved)', () => {
    expect(preprocess(src, { X: true, Y: true }).split('\n')).toEqual(['a', '', 'b', '', 'c', '', '', '', '', '', '', 'f']);
    expect(preprocess(src, { X: true }).split('\n').filter(Boolean)).toEqual(['a', 'b', 'd', 'f']);
    expect(preprocess(src, { Y: true }).split('\n').filter(Boolean)).toEqual(['a', 'e', 'f']);
  });
  it('rejects unknown and unbalanced directives, naming the line', () => {
    expect(() => preprocess(shaderSource('u.wgsl', 'x\n#ifdef A'), {})).toThrow(/u\.wgsl:2: unknown preprocessor directive/);
    expect(() => preprocess(shaderSource('u.wgsl', '#if A\nx'), {})).toThrow(/unterminated/);
    expect(() => preprocess(shaderSource('u.wgsl', '#endif'), {})).toThrow(/#endif without #if/);
  });
});

describe('BufferPool.bucket', () => {
  it('rounds up by at most 12.5% and never below the request', () => {
    for (const size of [1, 255, 256, 1000, 4097, 1 << 20, 3_000_001]) {
      const b = BufferPool.bucket(size);
      expect(b).toBeGreaterThanOrEqual(size);
      expect(b % 4).toBe(0);
      if (size > 256) expect(b / size).toBeLessThanOrEqual(1.125 + 1e-9);
    }
  });
});

describe('GpuContext on Dawn (SwiftShader)', () => {
  it('requests the real limits and reports the adapter', async () => {
    const ctx = await createNodeGpuContext();
    expect(ctx.profile.kind).toBe('swiftshader');
    expect(ctx.device.limits.maxStorageBufferBindingSize).toBeGreaterThan(128 * 1024 * 1024);
    expect(ctx.profile.subgroups).toBe(true);
    ctx.destroy();
  });

  it('caches pipelines by (shader, flags, entry point, constants) and runs them; pooled readback', async () => {
    const ctx = await createNodeGpuContext();
    const p1 = await ctx.pipelines.get({ shader: COPY, entryPoint: 'main', constants: { SCALE: 2 } });
    const p2 = await ctx.pipelines.get({ shader: COPY, entryPoint: 'main', constants: { SCALE: 2 } });
    const p3 = await ctx.pipelines.get({ shader: COPY, entryPoint: 'main', constants: { SCALE: 3 } });
    expect(p1).toBe(p2);
    expect(p3).not.toBe(p1);
    expect(p1.label).toContain('copy_test.wgsl:main{SCALE=2}');

    const a = ctx.uploadTensor('a', [5], 'f32', new Float32Array([1, 2, 3, 4, 5]));
    const b = ctx.createTensor('b', [5], 'f32');
    for (const [pipeline, scale] of [
      [p1, 2],
      [p3, 3],
      [p1, 2], // same pipeline and buffers as the first: its bind group is reused
    ] as const) {
      const rec = ctx.recorder('copy');
      rec.dispatch('copy', pipeline, new Uint32Array([5, 0, 0, 0]).buffer, [a, b], [2]);
      const r = rec.readback(b.buffer, 0, 20);
      await expect(r.read()).rejects.toThrow(/before submit/);
      rec.submit();
      expect(Array.from(new Float32Array(await r.read()))).toEqual([1, 2, 3, 4, 5].map((v) => v * scale));
    }
    expect([ctx.bindGroups.misses, ctx.bindGroups.hits]).toEqual([2, 1]);
    ctx.destroy();
  });

  it('times dispatches per label with timestamp queries, and dumps compiled WGSL when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgsl-dump-'));
    process.env.FORESIGHT_DUMP_WGSL = dir;
    const ctx = await createNodeGpuContext();
    delete process.env.FORESIGHT_DUMP_WGSL;
    const p = await ctx.pipelines.get({ shader: COPY, entryPoint: 'main' });
    expect(readdirSync(dir)).toEqual(['copy_test.wgsl.wgsl']);
    expect(readFileSync(join(dir, 'copy_test.wgsl.wgsl'), 'utf8')).toContain('fn main');
    const a = ctx.createTensor('a', [4], 'f32');
    const b = ctx.createTensor('b', [4], 'f32');
    ctx.startTiming();
    const rec = ctx.recorder('timed');
    for (const label of ['layer 0 copy', 'layer 1 copy', 'other']) rec.dispatch(label, p, new Uint32Array([4, 0, 0, 0]).buffer, [a, b], [1]);
    rec.submit();
    const times = await ctx.stopTiming();
    expect([...times.keys()].sort()).toEqual(['copy', 'other']);
    expect(times.get('copy')!.count).toBe(2);
    expect(times.get('copy')!.ms).toBeGreaterThanOrEqual(0);
    ctx.destroy();
  });

  it('throws GpuError shader-compile with the file, line and compiler message', async () => {
    const ctx = await createNodeGpuContext();
    const bad = shaderSource('bad.wgsl', 'fn main() {\n  let x: f32 = undefined_thing;\n}');
    const err = await ctx.pipelines.get({ shader: bad, entryPoint: 'main' }).catch((e) => e);
    expect(err).toBeInstanceOf(GpuError);
    expect(err.code).toBe('shader-compile');
    expect(err.message).toMatch(/bad\.wgsl:2:\d+: .*undefined_thing/);
    ctx.destroy();
  });

  it('surfaces encoding mistakes as GpuError gpu-validation at readback', async () => {
    const ctx = await createNodeGpuContext();
    const p = await ctx.pipelines.get({ shader: COPY, entryPoint: 'main' });
    const a = ctx.createTensor('a', [4], 'f32');
    const rec = ctx.recorder('bad binding');
    // b bound read-only-and-writable in one dispatch: WebGPU rejects it.
    rec.dispatch('aliasing', p, new Uint32Array([4, 0, 0, 0]).buffer, [a, a], [1]);
    const r = rec.readback(a.buffer, 0, 16);
    rec.submit();
    const err = await r.read().catch((e) => e);
    expect(err).toBeInstanceOf(GpuError);
    expect(err.code).toBe('gpu-validation');
    ctx.destroy();
  });

  it('reports a lost device as GpuError device-lost', async () => {
    const ctx = await createNodeGpuContext();
    ctx.device.destroy(); // behind the context's back, like a driver reset
    await ctx.device.lost;
    expect(() => ctx.recorder('after loss')).toThrow(GpuError);
    try {
      ctx.recorder('after loss');
    } catch (e) {
      expect((e as GpuError).code).toBe('device-lost');
    }
  });

  it('throws GpuError no-webgpu with instructions when there is no adapter or no navigator.gpu', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    const err = await createGpuContext(noAdapter).catch((e) => e);
    expect(err).toBeInstanceOf(GpuError);
    expect(err.code).toBe('no-webgpu');
    expect(err.message).toMatch(/enable-unsafe-webgpu/);
    const err2 = await createGpuContext().catch((e) => e);
    expect(err2.code).toBe('no-webgpu');
  });
});
