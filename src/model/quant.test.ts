import { describe, expect, it } from 'vitest';
import { Rng } from '../../test/utils/rng';
import { encodeBF16, encodeF16, f32ToF16Bits, quantizeQ4_0, quantizeQ4_1, quantizeQ5_0, quantizeQ5_1, quantizeQ8_0 } from '../../test/utils/quantize';
import { decodeBF16, decodeF16, decodeToF32, dequantizeQ4_0, dequantizeQ8_0, dtypeByteLength, f16ToF32 } from './quant';

const u8 = (...bytes: number[]) => new Uint8Array(bytes);

describe('f16', () => {
  it('decodes normal, subnormal and special bit patterns exactly', () => {
    const cases: [number, number][] = [
      [0x3c00, 1], [0xc000, -2], [0x7bff, 65504], [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24],
      [0x0400, 2 ** -14], [0x3555, 0.333251953125], [0x7c00, Infinity], [0xfc00, -Infinity], [0x0000, 0],
    ];
    for (const [bits, value] of cases) expect(f16ToF32(bits), `0x${bits.toString(16)}`).toBe(value);
    expect(Object.is(f16ToF32(0x8000), -0)).toBe(true);
    expect(f16ToF32(0x7e00)).toBeNaN();
  });

  it('encoder rounds to nearest even, and every f16 value survives encode(decode(bits))', () => {
    expect(f32ToF16Bits(1 / 3)).toBe(0x3555);
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway: to even
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway: to even (up)
    expect(f32ToF16Bits(65519)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // halfway to 2^16: overflows to inf
    expect(f32ToF16Bits(2 ** -25)).toBe(0); // halfway between 0 and the smallest subnormal: to even
    expect(f32ToF16Bits(3 * 2 ** -25)).toBe(2);
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00 && bits & 0x3ff) continue; // NaN payloads
      if (f32ToF16Bits(f16ToF32(bits)) !== bits) throw new Error(`0x${bits.toString(16)} does not round-trip`);
    }
  });

  it('decodes a buffer at an odd byte offset', () => {
    const buf = new Uint8Array(7);
    buf.set(encodeF16(Float32Array.of(1.5, -0.25, 1024)), 1);
    expect([...decodeF16(buf.subarray(1), 3)]).toEqual([1.5, -0.25, 1024]);
  });
});

describe('bf16', () => {
  it('is the top half of an f32', () => {
    expect([...decodeBF16(u8(0x80, 0x3f, 0x49, 0xc0), 2)]).toEqual([1, -3.140625]);
    const x = Float32Array.of(1, -2.5, 3.0e38, 1e-30);
    const back = decodeBF16(encodeBF16(x), 4);
    for (let i = 0; i < x.length; i++) expect(Math.abs(back[i] - x[i]) / Math.abs(x[i])).toBeLessThan(2 ** -8);
  });
});

describe('Q8_0', () => {
  it('decodes a hand-made block: x[j] = qs[j] * d', () => {
    const qs = Array.from({ length: 32 }, (_, j) => (j * 8 - 128) & 0xff); // -128, -120, ..., 120
    const block = u8(0x00, 0x38, ...qs); // d = f16 0x3800 = 0.5
    const out = dequantizeQ8_0(block, 32);
    expect([...out]).toEqual(Array.from({ length: 32 }, (_, j) => (j * 8 - 128) * 0.5));
    expect(dtypeByteLength('q8_0', 64)).toBe(68);
  });

  it('quantize -> dequantize is within half a step per block', () => {
    const rng = new Rng(7);
    const x = rng.normals(32 * 16, 0.3);
    const y = dequantizeQ8_0(quantizeQ8_0(x), x.length);
    for (let b = 0; b < 16; b++) {
      const amax = Math.max(...x.subarray(b * 32, b * 32 + 32).map(Math.abs));
      for (let j = 0; j < 32; j++) expect(Math.abs(y[b * 32 + j] - x[b * 32 + j])).toBeLessThanOrEqual((amax / 127) * 0.51);
    }
  });
});

describe('Q4_0', () => {
  it('decodes a hand-made block: low nibbles are x[0..15], high nibbles x[16..31], both offset by 8', () => {
    const qs = Array.from({ length: 16 }, (_, j) => j | ((15 - j) << 4));
    const block = u8(0x00, 0x40, ...qs); // d = 2
    const out = dequantizeQ4_0(block, 32);
    const want = [...Array.from({ length: 16 }, (_, j) => (j - 8) * 2), ...Array.from({ length: 16 }, (_, j) => (7 - j) * 2)];
    expect([...out]).toEqual(want);
    expect(dtypeByteLength('q4_0', 64)).toBe(36);
  });

  it('quantize -> dequantize is within one step per block, and the extreme value is exact', () => {
    const rng = new Rng(8);
    const x = rng.normals(32 * 16, 0.3);
    const y = dequantizeQ4_0(quantizeQ4_0(x), x.length);
    for (let b = 0; b < 16; b++) {
      const block = x.subarray(b * 32, b * 32 + 32);
      const amax = Math.max(...block.map(Math.abs));
      const iMax = block.findIndex((v) => Math.abs(v) === amax);
      expect(Math.abs(y[b * 32 + iMax] - x[b * 32 + iMax])).toBeLessThan(amax * 1e-3); // only f16 rounding of d
      for (let j = 0; j < 32; j++) expect(Math.abs(y[b * 32 + j] - x[b * 32 + j])).toBeLessThanOrEqual((amax / 8) * 1.01);
    }
  });
});

describe('Q4_1, Q5_0, Q5_1', () => {
  const nibbles = Array.from({ length: 16 }, (_, j) => j | ((15 - j) << 4)); // x[j]: j, x[j + 16]: 15 - j
  const QH = 0xf0f03c01; // fifth bits: bit j for x[j]
  const qhBytes = [QH & 0xff, (QH >>> 8) & 0xff, (QH >>> 16) & 0xff, QH >>> 24];
  const fifth = (j: number) => ((QH >>> j) & 1) * 16;

  it('Q4_1 decodes a hand-made block: x = q * d + m', () => {
    const out = decodeToF32('q4_1', u8(0x00, 0x38, 0x00, 0xbc, ...nibbles), 32); // d = 0.5, m = -1
    const want = Array.from({ length: 32 }, (_, j) => (j < 16 ? j : 31 - j) * 0.5 - 1);
    expect([...out]).toEqual(want);
    expect(dtypeByteLength('q4_1', 64)).toBe(40);
  });

  it('Q5_0 decodes a hand-made block: x = (q | fifth bit << 4) - 16, times d', () => {
    const out = decodeToF32('q5_0', u8(0x00, 0x40, ...qhBytes, ...nibbles), 32); // d = 2
    const want = Array.from({ length: 32 }, (_, j) => ((j < 16 ? j : 31 - j) + fifth(j) - 16) * 2);
    expect([...out]).toEqual(want);
    expect([out[0], out[16]]).toEqual([2 * (16 - 16), 2 * (15 - 16)]);
    expect(dtypeByteLength('q5_0', 64)).toBe(44);
  });

  it('Q5_1 decodes a hand-made block: x = (q | fifth bit << 4) * d + m', () => {
    const out = decodeToF32('q5_1', u8(0x00, 0x34, 0x00, 0x42, ...qhBytes, ...nibbles), 32); // d = 0.25, m = 3
    const want = Array.from({ length: 32 }, (_, j) => ((j < 16 ? j : 31 - j) + fifth(j)) * 0.25 + 3);
    expect([...out]).toEqual(want);
    expect(dtypeByteLength('q5_1', 64)).toBe(48);
  });

  for (const [dtype, quantize, bound] of [['q4_1', quantizeQ4_1, 0.09], ['q5_0', quantizeQ5_0, 0.055], ['q5_1', quantizeQ5_1, 0.045]] as const) {
    it(`${dtype}: test quantizer round-trips within rms error / rms value < ${bound}`, () => {
      const x = new Rng(12).normals(32 * 64, 0.5, 0.2);
      const y = decodeToF32(dtype, quantize(x), x.length);
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
