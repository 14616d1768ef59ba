/**
 * Random access to one model file, wherever its bytes live: an in-memory buffer, a `File`/`Blob`,
 * an IndexedDB chunk store, a file on disk (Node), or an HTTP resource read with Range requests.
 * Model parsers (GGUF, safetensors) read headers and then one tensor at a time through this,
 * so a model is never held in memory whole on its way to the GPU.
 */
import { ModelFormatError } from '../errors';

export interface ByteSource {
  /** File name, used in error messages (e.g. `model.safetensors`). */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /** Bytes [offset, offset + length). Rejects with a typed error if the range is out of bounds. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A ByteSource over bytes already in memory. */
export function bytesSource(name: string, bytes: Uint8Array | ArrayBuffer): ByteSource {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return {
    name,
    size: u8.byteLength,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > u8.byteLength) {
        throw new ModelFormatError(
          'model-format',
          `${name}: read of bytes [${offset}, ${offset + length}) is past the end of the file (${u8.byteLength} bytes); the file is truncated`,
        );
      }
      return u8.subarray(offset, offset + length);
    },
  };
}
