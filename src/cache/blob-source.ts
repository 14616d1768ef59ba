/**
 * A ByteSource over a File or Blob the user picked: each read slices the blob, so the file is read in
 * place, never copied whole into memory or into the cache.
 */
import { LoadError, ModelFormatError } from '../errors';
import type { ByteSource } from '../model/byte-source';

export function blobSource(name: string, blob: Blob): ByteSource {
  return {
    name,
    size: blob.size,
    async read(offset, length) {
      if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > blob.size) {
        throw new ModelFormatError(
          'model-format',
          `${name}: read of bytes [${offset}, ${offset + length}) is past the end of the file (${blob.size} bytes); the file is truncated`,
        );
      }
      try {
        return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
      } catch (err) {
        // A File whose disk copy changed or vanished since it was picked (NotReadableError).
        throw new LoadError('storage', `${name}: the file could not be read (${(err as Error).message}); pick it again`, {
          cause: err,
        });
      }
    },
  };
}
