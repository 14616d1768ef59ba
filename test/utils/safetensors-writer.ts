/** A safetensors writer for tests: u64 header length, JSON header (space-padded to 8 bytes), data. */
export interface SafetensorsEntry {
  name: string;
  dtype: 'F32' | 'F16' | 'BF16' | 'I64' | 'I8' | string;
  /** Outermost first. */
  shape: number[];
  data: Uint8Array;
}

export function writeSafetensors(tensors: SafetensorsEntry[], metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let o = 8 + headerBytes.byteLength;
  for (const t of tensors) {
    out.set(t.data, o);
    o += t.data.byteLength;
  }
  return out;
}
