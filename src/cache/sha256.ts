/**
 * SHA-256, incremental, with a state that can be saved and restored at a 64-byte boundary.
 *
 * Why not only `crypto.subtle.digest`: it hashes one buffer in one call, so checking a 2 GB file against
 * the sha256 the Hub publishes would need the whole file in memory. This hasher takes the file chunk by
 * chunk as it streams in, and its state goes into the manifest after every stored chunk, so a download
 * resumed after a reload still ends with a whole-file check. Per-chunk hashes use `sha256Hex` (native).
 */

// First 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4, 4.2.2).
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
// First 32 bits of the fractional parts of the square roots of the first 8 primes.
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

export class Sha256 {
  private readonly h = new Uint32Array(H0);
  private readonly w = new Uint32Array(64); // message schedule, reused per block
  private readonly pending = new Uint8Array(64); // bytes of an unfinished block
  private pendingLength = 0;
  private totalLength = 0; // bytes hashed so far (< 2^53)

  update(data: Uint8Array): this {
    let i = 0;
    this.totalLength += data.byteLength;
    if (this.pendingLength > 0) {
      const take = Math.min(64 - this.pendingLength, data.byteLength);
      this.pending.set(data.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      i = take;
      if (this.pendingLength < 64) return this;
      this.compress(this.pending, 0);
      this.pendingLength = 0;
    }
    for (; i + 64 <= data.byteLength; i += 64) this.compress(data, i);
    if (i < data.byteLength) {
      this.pending.set(data.subarray(i), 0);
      this.pendingLength = data.byteLength - i;
    }
    return this;
  }

  /** Finishes the hash (the hasher cannot be used afterwards) and returns it as lowercase hex. */
  hex(): string {
    const bits = this.totalLength * 8;
    const padLength = ((this.pendingLength < 56 ? 56 : 120) - this.pendingLength) + 8;
    const pad = new Uint8Array(padLength);
    pad[0] = 0x80;
    const view = new DataView(pad.buffer);
    view.setUint32(padLength - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(padLength - 4, bits >>> 0);
    const total = this.totalLength;
    this.update(pad);
    this.totalLength = total;
    return Array.from(this.h, (x) => x.toString(16).padStart(8, '0')).join('');
  }

  /** The state after a whole number of 64-byte blocks, as a string for the manifest. */
  saveState(): string {
    if (this.pendingLength !== 0) throw new Error('Sha256.saveState: only at a 64-byte boundary');
    return `${this.totalLength}:${Array.from(this.h, (x) => x.toString(16).padStart(8, '0')).join('')}`;
  }

  static restore(state: string): Sha256 {
    const m = /^(\d+):([0-9a-f]{64})$/.exec(state);
    if (!m || Number(m[1]) % 64 !== 0) throw new Error(`Sha256.restore: malformed state "${state}"`);
    const s = new Sha256();
    s.totalLength = Number(m[1]);
    for (let j = 0; j < 8; j++) s.h[j] = parseInt(m[2].slice(j * 8, j * 8 + 8), 16);
    return s;
  }

  private compress(block: Uint8Array, offset: number): void {
    const w = this.w;
    for (let t = 0; t < 16; t++) {
      const o = offset + t * 4;
      w[t] = (block[o] << 24) | (block[o + 1] << 16) | (block[o + 2] << 8) | block[o + 3];
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15];
      const b = w[t - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    const h = this.h;
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (k + S1 + ch + K[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      k = g; g = f; f = e; e = (d + t1) | 0;
      d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
  }
}

/** sha256 of one buffer, native (`crypto.subtle`, in pages, workers and Node 20), as lowercase hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (x) => x.toString(16).padStart(2, '0')).join('');
}
