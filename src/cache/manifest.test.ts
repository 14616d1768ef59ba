import { describe, expect, it } from 'vitest';
import {
  bytesMissing,
  bytesStored,
  decodeManifest,
  encodeManifest,
  fileIsComplete,
  manifestIsComplete,
  newFileEntry,
  newManifest,
  type Manifest,
} from './manifest';

const H = 'a'.repeat(64);

function sample(): Manifest {
  const m = newManifest('hf:o/r@main', 64, 1000);
  const a = newFileEntry('config.json', 'http://x/config.json', 0, false);
  a.size = 100; // 2 chunks
  a.chunks = [H, H];
  a.complete = true;
  const b = newFileEntry('model.safetensors', 'http://x/model.safetensors', 1, false);
  b.size = 200; // 4 chunks, 1 stored
  b.chunks = [H];
  const c = newFileEntry('generation_config.json', 'http://x/g.json', 2, true);
  c.absent = true;
  m.files = [a, b, c];
  m.discovered = true;
  return m;
}

describe('manifest', () => {
  it('counts stored and missing bytes from the chunk prefix', () => {
    const m = sample();
    expect(bytesStored(m)).toBe(100 + 64);
    expect(bytesMissing(m)).toBe(200 - 64);
    expect(fileIsComplete(m.files[0], 64)).toBe(true);
    expect(manifestIsComplete(m)).toBe(false);
    m.files[1].chunks = [H, H, H, H];
    m.files[1].complete = true;
    expect(manifestIsComplete(m)).toBe(true); // the absent optional file does not count
  });

  it('round-trips through its encoding', () => {
    const m = sample();
    expect(decodeManifest(encodeManifest(m))).toEqual(m);
  });

  it('does not trust a complete flag the chunk list does not back up', () => {
    const m = sample();
    m.files[1].complete = true; // only 1 of 4 chunks
    m.complete = true;
    const d = decodeManifest(encodeManifest(m))!;
    expect(d.files[1].complete).toBe(false);
    expect(d.complete).toBe(false);
  });

  it('treats another schema version, bad JSON or malformed entries as not cached', () => {
    const bytes = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));
    expect(decodeManifest(bytes({ ...sample(), schema: 2 }))).toBeUndefined();
    expect(decodeManifest(new TextEncoder().encode('{"schema":1,'))).toBeUndefined();
    const tooMany = sample();
    tooMany.files[0].chunks = [H, H, H]; // 100 bytes cannot have 3 chunks of 64
    expect(decodeManifest(encodeManifest(tooMany))).toBeUndefined();
    const badHash = sample();
    badHash.files[0].chunks = ['xyz', H];
    expect(decodeManifest(encodeManifest(badHash))).toBeUndefined();
    expect(decodeManifest(bytes({ ...sample(), chunkSize: 100 }))).toBeUndefined();
  });
});
