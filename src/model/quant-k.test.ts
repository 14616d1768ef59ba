import { describe, expect, it } from 'vitest';
import { Rng } from '../../test/utils/rng';
import { packScalesK4, quantizeQ4_K, quantizeQ5_K, quantizeQ6_K, quantizeQ8_K } from '../../test/utils/quantize-k';
import { decodeToF32, dtypeBlockSize, dtypeByteLength } from './quant';
import { scaleMinK4 } from './quant-k';

/** Super-block header shared by the Q4_K / Q5_K blocks below: d = 1 (f16 0x3c00), dmin = 0.5 (f16 0x3800). */
const D_DMIN = [0x00, 0x3c, 0x00, 0x38];
const SC = [1, 2, 3, 4, 5, 6, 7, 63];
const M = [0, 1, 2, 3, 4, 5, 6, 33];
/**
 * SC and M packed by hand: bytes 0-3 / 4-7 hold sc[0..3] / m[0..3] in their low 6 bits; bytes 8-11 hold
 * sc[4..7] (low nibble) and m[4..7] (high nibble); the top 2 bits of sc[4..7] / m[4..7] go to the top of
 * bytes 0-3 / 4-7. Only sc[7] = 0b11_1111 and m[7] = 0b10_0001 have top bits: byte 3 = 4 | 3 << 6, byte 7 = 3 | 2 << 6.
 */
const SCALES = [0x01, 0x02, 0x03, 0xc4, 0x00, 0x01, 0x02, 0x83, 0x45, 0x56, 0x67, 0x1f];

describe('K-quant scales', () => {
  it('unpacks the 6-bit scales and mins of all 8 sub-blocks', () => {
    const bytes = Uint8Array.from(SCALES);
    for (let j = 0; j < 8; j++) expect(scaleMinK4(bytes, 0, j), `sub-block ${j}`).toEqual([SC[j], M[j]]);
    expect([...packScalesK4(SC, M)]).toEqual(SCALES);
  });
});

describe('Q4_K', () => {
  it('decodes a hand-made super-block: x = d*sc*q - dmin*m, low nibbles first in each 64-weight chunk', () => {
    // qs[32c + l]: low nibble l % 16 (sub-block 2c), high nibble 15 - l % 16 (sub-block 2c + 1).
    const qs = Array.from({ length: 128 }, (_, i) => (i % 16) | ((15 - (i % 16)) << 4));
    const out = decodeToF32('q4_k', Uint8Array.from([...D_DMIN, ...SCALES, ...qs]), 256);
    const want = Array.from({ length: 256 }, (_, i) => {
      const c = i >> 6;
      const l = i & 31;
      return i & 32 ? SC[2 * c + 1] * (15 - (l % 16)) - 0.5 * M[2 * c + 1] : SC[2 * c] * (l % 16) - 0.5 * M[2 * c];
    });
    expect([...out]).toEqual(want);
    expect([out[0], out[1], out[32], out[63], out[255]]).toEqual([0, 1, 29.5, -0.5, -16.5]);
    expect(dtypeByteLength('q4_k', 512)).toBe(288);
    expect(dtypeBlockSize('q4_k')).toBe(256);
  });
});

describe('Q5_K', () => {
  it('decodes a hand-made super-block: the fifth bit of sub-block s is bit s of qh[l]', () => {
    const qh = Array.from({ length: 32 }, (_, l) => (l * 37) & 0xff);
    const qs = Array.from({ length: 128 }, (_, i) => (i % 16) | ((15 - (i % 16)) << 4));
    const out = decodeToF32('q5_k', Uint8Array.from([...D_DMIN, ...SCALES, ...qh, ...qs]), 256);
    const want = Array.from({ length: 256 }, (_, i) => {
      const s = i >> 5; // sub-block
      const l = i & 31;
      const low = s % 2 ? 15 - (l % 16) : l % 16;
      const q = low + 16 * ((qh[l] >> s) & 1);
      return SC[s] * q - 0.5 * M[s];
    });
    expect([...out]).toEqual(want);
    // l = 1: qh = 37 = 0b100101 -> sub-blocks 0, 2, 5 get +16.
    expect([out[1], out[65], out[161]]).toEqual([17, 3 * 17 - 1, 6 * (14 + 16) - 2.5]);
    expect(dtypeByteLength('q5_k', 256)).toBe(176);
  });
});

describe('Q6_K', () => {
  it('decodes a hand-made super-block: 16 signed scales, 4+2-bit quants offset by 32', () => {
    const ql = Array.from({ length: 128 }, (_, i) => (i * 29 + 7) & 0xff);
    const qh = Array.from({ length: 64 }, (_, i) => (i * 53 + 11) & 0xff);
    const scales = Array.from({ length: 16 }, (_, s) => s - 8); // -8..7, includes negatives and 0
    const bytes = Uint8Array.from([...ql, ...qh, ...scales.map((v) => v & 0xff), 0x00, 0x34]); // d = 0.25
    const out = decodeToF32('q6_k', bytes, 256);
    const want = Array.from({ length: 256 }, (_, k) => {
      const h = k >> 7; // which 128-weight half
      const g = (k >> 5) & 3; // which 32-weight group within it
      const l = k & 31;
      const byte = ql[64 * h + l + (g & 1 ? 32 : 0)];
      const low = g < 2 ? byte & 15 : byte >> 4;
      const high = (qh[32 * h + l] >> (2 * g)) & 3;
      return 0.25 * scales[k >> 4] * (low + 16 * high - 32);
    });
    expect([...out]).toEqual(want);
    // k = 0: ql[0] = 7, qh[0] = 11 -> bits 0-1 = 3: q = 7 + 48 - 32 = 23, scale -8: -46.
    expect(out[0]).toBe(-46);
    expect(dtypeByteLength('q6_k', 256)).toBe(210);
  });
});

describe('Q8_K', () => {
  it('decodes a hand-made block: f32 d times int8 quants (bsums are ignored)', () => {
    const bytes = new Uint8Array(292);
    const view = new DataView(bytes.buffer);
    view.setFloat32(0, 0.375, true);
    for (let j = 0; j < 256; j++) view.setInt8(4 + j, j - 128);
    for (let s = 0; s < 16; s++) view.setInt16(260 + 2 * s, 12345, true);
    expect([...decodeToF32('q8_k', bytes, 256)]).toEqual(Array.from({ length: 256 }, (_, j) => 0.375 * (j - 128)));
  });
});

describe('test quantizers produce blocks that decode close to their input', () => {
  const rng = new Rng(11);
  // Rows with a mean offset and one outlier, so mins, scales and clamping all matter.
  const x = rng.normals(256 * 8, 0.5, 0.2);
  x[300] = 4;
  const cases = [
    ['q4_k', quantizeQ4_K, 0.09],
    ['q5_k', quantizeQ5_K, 0.045],
    ['q6_k', quantizeQ6_K, 0.025],
    ['q8_k', quantizeQ8_K, 0.01],
  ] as const;
  for (const [dtype, quantize, bound] of cases) {
    it(`${dtype}: rms error / rms value < ${bound}`, () => {
      const bytes = quantize(x);
      expect(bytes.byteLength).toBe(dtypeByteLength(dtype, x.length));
      const y = decodeToF32(dtype, bytes, x.length);
      let err = 0;
      let ref = 0;
      for (let i = 0; i < x.length; i++) {
        err += (y[i] - x[i]) ** 2;
        ref += x[i] ** 2;
      }
      expect(Math.sqrt(err / ref)).toBeLessThan(bound);
    });
  }
});
